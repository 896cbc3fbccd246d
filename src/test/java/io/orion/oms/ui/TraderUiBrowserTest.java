package io.orion.oms.ui;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trader UI in headless Chromium against a whole service with the simulated LPs: sign-in, a market
 * order filled live, a refused order's field error, cancel and modify of a resting limit, and the
 * stream's recovery after its socket drops. The scenarios run in order on one page, as a trader would.
 */
@Browser.Needed
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TraderUiBrowserTest {
  static TestApp app;
  static ChromeDriver driver;
  static WebDriverWait wait;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    driver = Browser.start();
    app = TestApp.startWithLps();
    base = "http://127.0.0.1:" + app.app().httpPort();
    // rows are re-rendered as events arrive: an element found a moment ago may be gone, so look again
    wait = (WebDriverWait) new WebDriverWait(driver, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class);
  }

  @AfterAll
  static void stop() throws Exception {
    if (driver != null) driver.quit();
    if (app != null) app.close();
  }

  static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  static WebElement byId(String id) {
    return driver.findElement(By.id(id));
  }

  static String connectionState() {
    return byId("conn").getDomAttribute("data-state");
  }

  /** The blotter row of an order, found by its reference. */
  static WebElement row(String orderRef) {
    return wait.until(d -> d.findElements(By.cssSelector("#orders-body tr")).stream()
      .filter(r -> r.findElement(By.cssSelector("td.ref")).getText().equals(orderRef)).findFirst().orElse(null));
  }

  static void waitStatus(String orderRef, String status) {
    wait.withMessage(() -> orderRef + " to show " + status + " in the blotter").until(d ->
      status.equals(row(orderRef).getDomAttribute("data-status")));
  }

  static void type(String id, String text) {
    WebElement e = byId(id);
    e.clear();
    e.sendKeys(text);
  }

  /** Fills the ticket (the fields the type shows) and submits it; returns the accepted order's reference. */
  static String submit(String instrument, String side, String orderType, String tif, String quantity, Map<String, String> prices) {
    new Select(byId("t-instrument")).selectByValue(instrument);
    driver.findElement(By.cssSelector("input[name=side][value=" + side + "]")).click();
    new Select(byId("t-type")).selectByValue(orderType);
    new Select(byId("t-tif")).selectByValue(tif);
    type("t-quantity", quantity);
    prices.forEach((field, value) -> type("t-" + field, value));
    js("document.getElementById('ticket-ok').textContent = ''");
    byId("t-submit").click();
    String ok = wait.withMessage("the ticket to accept the order").until(d -> {
      String t = byId("ticket-ok").getText();
      return t.isEmpty() ? null : t;
    });
    return ok.replaceAll("^Order (\\S+) accepted.*$", "$1");
  }

  @Test
  @Order(1)
  void signsInWithTheDemoButtonAndShowsTheLiveDesk() {
    driver.get(base + "/");
    WebElement demo = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("demo-signin")));
    demo.click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("desk")));
    wait.withMessage("the stream to be live").until(d -> "live".equals(connectionState()));
    assertThat(byId("who").getText()).isEqualTo("demo-trader @ demo");
    wait.until(d -> byId("bal-available").getText().equals("$1,000,000.00"));
    wait.withMessage("the three simulated LPs").until(d -> d.findElements(By.cssSelector("#lps-body tr")).size() == 3);
    assertThat(driver.findElements(By.cssSelector("#lps-body [data-col=circuit]")))
      .extracting(e -> e.getDomProperty("textContent")).containsOnly("closed");
    // the token is in this tab's session storage, never in the address
    assertThat((String) js("return sessionStorage.getItem('orion.token')")).startsWith("eyJ");
    assertThat(driver.getCurrentUrl()).isEqualTo(base + "/");
    // the ticket shows only what a market order takes
    assertThat(byId("t-price").isDisplayed()).isFalse();
    new Select(byId("t-type")).selectByValue("stop_limit");
    assertThat(byId("t-price").isDisplayed()).isTrue();
    assertThat(byId("t-stopPrice").isDisplayed()).isTrue();
    assertThat(byId("t-trailAmount").isDisplayed()).isFalse();
    new Select(byId("t-tif")).selectByValue("gtd");
    assertThat(byId("t-expiryDate").isDisplayed()).isTrue();
    new Select(byId("t-type")).selectByValue("market");
    new Select(byId("t-tif")).selectByValue("gtc");
  }

  @Test
  @Order(2)
  void aMarketOrderReachesFilledInTheBlotterWithoutReloading() {
    js("window.__samePage = true");
    String ref = submit("AAPL", "buy", "market", "ioc", "5", Map.of());
    waitStatus(ref, "filled");
    WebElement row = row(ref);
    assertThat(row.findElement(By.cssSelector("[data-col=filled]")).getText()).isEqualTo("5");
    assertThat(row.findElement(By.cssSelector("[data-col=remaining]")).getText()).isEqualTo("0");
    wait.withMessage("the AAPL position").until(d -> d.findElements(By.cssSelector("#positions-body tr[data-instrument=AAPL]"))
      .stream().anyMatch(r -> r.findElement(By.cssSelector("[data-col=quantity]")).getText().equals("5")));
    wait.withMessage("the balance to move with the fill").until(d -> !byId("bal-balance").getText().equals("$1,000,000.00"));
    assertThat(js("return window.__samePage === true")).as("the page was not reloaded").isEqualTo(true);
  }

  @Test
  @Order(3)
  void aBadOrderShowsItsErrorsByField() {
    // caught in the page: a price off the tick never leaves the browser
    new Select(byId("t-instrument")).selectByValue("AAPL");
    new Select(byId("t-type")).selectByValue("limit");
    type("t-quantity", "1");
    type("t-price", "150.001");
    byId("t-submit").click();
    assertThat(byId("t-price-err").getText()).contains("tick size 0.01");

    // refused by the service: its INSUFFICIENT_FUNDS problem shown next to the quantity
    new Select(byId("t-instrument")).selectByValue("BTC-USD");
    new Select(byId("t-type")).selectByValue("market");
    type("t-quantity", "100");
    assertThat(byId("estimate").getText()).contains("exceeds available funds");
    byId("t-submit").click();
    String error = wait.withMessage("the server's error next to quantity").until(d -> {
      String t = byId("t-quantity-err").getText();
      return t.isEmpty() ? null : t;
    });
    assertThat(error).matches("Insufficient funds for \\$6,[0-9]{3},[0-9]{3}\\.[0-9]{2} order; available: \\$[0-9,.]+");
    assertThat(byId("t-quantity").getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(byId("ticket-ok").getText()).isEmpty();
  }

  @Test
  @Order(4)
  void modifiesAndCancelsARestingLimitOrder() {
    String ref = submit("AAPL", "buy", "limit", "gtc", "2", Map.of("price", "100.00"));
    waitStatus(ref, "working");

    // modify from the detail view (PUT with If-Match); the history lists it
    row(ref).findElement(By.cssSelector("[data-action=modify]")).click();
    WebElement quantity = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("m-quantity")));
    quantity.clear();
    quantity.sendKeys("3");
    driver.findElement(By.cssSelector("#detail form.modify button[type=submit]")).click();
    wait.withMessage("the modification in the order's history").until(d ->
      byId("detail-body").getText().contains("Modification history") && d.findElements(By.cssSelector("#detail-body td"))
        .stream().anyMatch(td -> td.getText().equals("modify")));
    wait.withMessage("the blotter to show the new quantity").until(d -> row(ref).findElements(By.cssSelector("td.num")).get(0)
      .getText().equals("3"));
    assertThat(byId("detail-body").getText()).contains("Audit trail").contains("SUBMITTED");
    byId("detail-close").click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("detail")));

    row(ref).findElement(By.cssSelector("[data-action=cancel]")).click();
    waitStatus(ref, "cancelled");
    assertThat(row(ref).findElements(By.cssSelector("[data-action=cancel]"))).isEmpty();
  }

  @Test
  @Order(5)
  void theConnectionIndicatorRecoversAfterTheSocketDropsAndMissedEventsAreReplayed() throws Exception {
    wait.until(d -> "live".equals(connectionState()));
    // record every state the indicator shows
    js("const conn = document.getElementById('conn'); window.__states = [];"
      + "new MutationObserver(() => window.__states.push(conn.dataset.state + '|' + conn.textContent.trim()))"
      + ".observe(conn, {attributes: true, childList: true, subtree: true, characterData: true});");
    long connections = ((Number) js("return window.orion.stream.connections")).longValue();
    String account = app.demoAccountId();
    long seqBefore = ((Number) js("return window.orion.stream.lastSeq.get(arguments[0])", account)).longValue();

    js("window.orion.stream.sock.close()");
    wait.withMessage("the stream to come back").until(d ->
      "live".equals(connectionState()) && ((Number) js("return window.orion.stream.connections")).longValue() > connections);
    @SuppressWarnings("unchecked")
    List<String> states = (List<String>) js("return window.__states");
    assertThat(states).anyMatch(st -> st.startsWith("reconnecting|Reconnecting") && st.endsWith("polling every 5 s"));
    assertThat(states.get(states.size() - 1)).isEqualTo("live|Live");
    // the new connection asked for a replay from the last seq it had seen
    assertThat(js("return window.orion.stream.lastRegister.headers.sinceSeq")).isEqualTo(String.valueOf(seqBefore));

    // and keeps following the account: an order placed elsewhere shows up live
    Http.Res r = app.http.post("/api/v1/orders", app.demoTraderToken(), new JsonObject().put("clientId", account)
      .put("instrumentId", "MSFT").put("side", "buy").put("orderType", "market").put("timeInForce", "ioc").put("quantity", 1));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    waitStatus(r.json().getString("orderRef"), "filled");
  }

  @Test
  @Order(6)
  void screenshotOfTheMainScreen() throws Exception {
    wait.until(d -> "live".equals(connectionState()));
    js("document.getElementById('detail').open && document.getElementById('detail').close()");
    // a ticket filled in as a trader would leave it, with its estimate
    new Select(byId("t-instrument")).selectByValue("EURUSD");
    new Select(byId("t-type")).selectByValue("limit");
    new Select(byId("t-tif")).selectByValue("day");
    type("t-quantity", "100000");
    type("t-price", "1.08450");
    Path out = Path.of("target", "ui-screenshots", "trader-ui.png");
    Files.createDirectories(out.getParent());
    Files.write(out, driver.getScreenshotAs(OutputType.BYTES));
    byte[] png = Files.readAllBytes(out);
    assertThat(png.length).isGreaterThan(10_000);
    assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }
}
