package io.orion.oms.ui;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Map;

/**
 * Headless Chromium through the system chromedriver. Where both are missing, browser tests fail in CI
 * (env {@code CI} or {@code ORION_REQUIRE_BROWSER=1}) with how to install them, and elsewhere are skipped with
 * that same reason printed: a developer machine without a browser can still run {@code mvn verify}.
 */
public final class Browser {
  static final String INSTALL = "apt-get install -y chromium chromium-driver";

  private Browser() {}

  /** Marks a test class that needs the browser. */
  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @ExtendWith(Required.class)
  public @interface Needed {}

  static String chromium() {
    return find("ORION_CHROMIUM", "/usr/bin/chromium", "/usr/bin/chromium-browser");
  }

  static String chromedriver() {
    return find("ORION_CHROMEDRIVER", "/usr/bin/chromedriver");
  }

  /** The executable the variable names when it is set (and only that one), else the first default present. */
  private static String find(String variable, String... defaults) {
    String named = System.getenv(variable);
    String[] candidates = named != null && !named.isBlank() ? new String[]{named} : defaults;
    for (String c : candidates) if (new File(c).canExecute()) return c;
    return null;
  }

  static boolean required(Map<String, String> env) {
    return "1".equals(env.get("ORION_REQUIRE_BROWSER")) || (env.get("CI") != null && !env.get("CI").isBlank()
      && !"false".equalsIgnoreCase(env.get("CI")));
  }

  static String missing() {
    if (chromium() == null) return "Chromium not found (/usr/bin/chromium or ORION_CHROMIUM)";
    if (chromedriver() == null) return "chromedriver not found (/usr/bin/chromedriver or ORION_CHROMEDRIVER)";
    return null;
  }

  /** Runs the class when the browser is there, or when it is required (the class then fails in {@link #start}). */
  public static final class Required implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String missing = missing();
      if (missing == null) return ConditionEvaluationResult.enabled("Chromium and chromedriver found");
      if (required(System.getenv())) return ConditionEvaluationResult.enabled("browser required: the test will fail");
      String reason = "BROWSER TESTS NOT RUN: " + missing + ". Install with: " + INSTALL
        + " (CI and ORION_REQUIRE_BROWSER=1 make this a failure)";
      System.err.println(reason);
      return ConditionEvaluationResult.disabled(reason);
    }
  }

  /** A fresh headless Chromium with a laptop-sized window. */
  static ChromeDriver start() {
    String missing = missing();
    if (missing != null) {
      throw new AssertionError("Browser tests need Chromium and chromedriver: " + missing + ". Install them with: " + INSTALL);
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(new File(chromedriver())).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions().setBinary(chromium())
      .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1440,1000", "--force-device-scale-factor=1", "--lang=en-GB", "--no-first-run",
        "--disable-extensions", "--disable-background-networking");
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    return driver;
  }
}
