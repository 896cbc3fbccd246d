package io.orion.oms.routing;

import io.orion.oms.lp.Quote;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static io.orion.oms.routing.Fixtures.NOW;
import static io.orion.oms.routing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;

class QuoteBookTest {

  static Quote q(String lp, String instrument, String ask, Instant time) {
    return new Quote(lp, instrument, d("1.0"), d("1000"), d(ask), d("1000"), time);
  }

  @Test
  void keepsTheLatestQuotePerInstrumentAndLp() {
    QuoteBook book = new QuoteBook();
    book.update(q("lp-a", "EURUSD", "1.1", NOW.minusMillis(50)));
    book.update(q("lp-a", "EURUSD", "1.2", NOW.minusMillis(10)));
    book.update(q("lp-b", "EURUSD", "1.3", NOW.minusMillis(10)));
    book.update(q("lp-a", "GBPUSD", "1.4", NOW.minusMillis(10)));

    assertThat(book.quotes("EURUSD", NOW, 1000)).extracting(Quote::ask).map(BigDecimal::toPlainString)
      .containsExactlyInAnyOrder("1.2", "1.3");
    assertThat(book.quotes("GBPUSD", NOW, 1000)).extracting(Quote::lpId).containsExactly("lp-a");
    assertThat(book.quotes("USDJPY", NOW, 1000)).isEmpty();
    assertThat(book.latest("EURUSD", "lp-a").ask()).isEqualByComparingTo("1.2");
  }

  @Test
  void aLateOlderQuoteDoesNotReplaceANewerOne() {
    QuoteBook book = new QuoteBook();
    book.update(q("lp-a", "EURUSD", "1.2", NOW.minusMillis(10)));
    book.update(q("lp-a", "EURUSD", "1.1", NOW.minusMillis(50)));
    assertThat(book.latest("EURUSD", "lp-a").ask()).isEqualByComparingTo("1.2");
  }

  @Test
  void quotesOlderThanMaxAgeAreSkippedAndTheBoundaryIsFresh() {
    QuoteBook book = new QuoteBook();
    book.update(q("lp-edge", "EURUSD", "1.1", NOW.minusMillis(500)));
    book.update(q("lp-old", "EURUSD", "1.1", NOW.minusMillis(501)));
    book.update(q("lp-future", "EURUSD", "1.1", NOW.plusMillis(20)));
    assertThat(book.quotes("EURUSD", NOW, 500)).extracting(Quote::lpId)
      .containsExactlyInAnyOrder("lp-edge", "lp-future");
    // still held: a later look with a longer window sees it
    assertThat(book.quotes("EURUSD", NOW, 1000)).hasSize(3);
  }

  @Test
  void removingAnLpDropsItsQuotesEverywhere() {
    QuoteBook book = new QuoteBook();
    book.update(q("lp-a", "EURUSD", "1.1", NOW));
    book.update(q("lp-a", "GBPUSD", "1.1", NOW));
    book.update(q("lp-b", "EURUSD", "1.1", NOW));
    book.removeLp("lp-a");
    assertThat(book.quotes("EURUSD", NOW, 1000)).extracting(Quote::lpId).containsExactly("lp-b");
    assertThat(book.quotes("GBPUSD", NOW, 1000)).isEmpty();
  }
}
