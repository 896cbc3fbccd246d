package io.orion.oms.common;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Request bodies keep every digit; Decimals reads JSON values and formats money. */
class DecimalJsonTest {

  static JsonObject parse(String s) {
    return DecimalJson.parseObject(Buffer.buffer(s));
  }

  // ------------------------------------------------------------------ DecimalJson

  @Test
  void floatsKeepEveryDigitAsBigDecimal() {
    JsonObject o = parse("{\"price\": 1.10000000000000000001, \"small\": 0.1, \"exp\": 1.5e-3, \"neg\": -149.50}");
    assertThat(o.getValue("price")).isInstanceOf(BigDecimal.class);
    assertThat((BigDecimal) o.getValue("price")).isEqualTo(new BigDecimal("1.10000000000000000001"));
    assertThat(((BigDecimal) o.getValue("price")).toPlainString()).isEqualTo("1.10000000000000000001");
    assertThat((BigDecimal) o.getValue("small")).isEqualTo(new BigDecimal("0.1"));
    assertThat((BigDecimal) o.getValue("exp")).isEqualByComparingTo("0.0015");
    assertThat((BigDecimal) o.getValue("neg")).isEqualTo(new BigDecimal("-149.50")); // scale kept
  }

  @Test
  void integersStayIntegral() {
    JsonObject o = parse("{\"q\": 10, \"big\": 9007199254740993, \"huge\": 123456789012345678901234567890, \"zero\": 0, \"neg\": -7}");
    assertThat(o.getValue("q")).isInstanceOf(Integer.class).isEqualTo(10);
    assertThat(o.getValue("big")).isInstanceOf(Long.class).isEqualTo(9007199254740993L);
    assertThat(o.getValue("huge")).isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(o.getValue("zero")).isEqualTo(0);
    assertThat(o.getValue("neg")).isEqualTo(-7);
    assertThat(Decimals.parse(o.getValue("huge"))).isEqualTo(new BigDecimal("123456789012345678901234567890"));
  }

  @Test
  void otherValueTypes() {
    JsonObject o = parse("{\"s\":\"1.10000000000000000001\",\"t\":true,\"f\":false,\"n\":null,\"u\":\"\\u00e9\\n\"}");
    assertThat(o.getString("s")).isEqualTo("1.10000000000000000001");
    assertThat(o.getBoolean("t")).isTrue();
    assertThat(o.getBoolean("f")).isFalse();
    assertThat(o.containsKey("n")).isTrue();
    assertThat(o.getValue("n")).isNull();
    assertThat(o.getString("u")).isEqualTo("é\n");
    assertThat(o.fieldNames()).containsExactly("s", "t", "f", "n", "u");
  }

  @Test
  void nestedObjectsAndArrays() {
    JsonObject o = parse("""
      {"order": {"qty": 0.00010000, "legs": [1, 2.50, {"p": 3.000000000000000000001}, [4.4, "x"], [], {}]},
       "tags": ["a", null, true], "empty": {}}""");
    JsonObject order = o.getJsonObject("order");
    assertThat((BigDecimal) order.getValue("qty")).isEqualTo(new BigDecimal("0.00010000"));
    JsonArray legs = order.getJsonArray("legs");
    assertThat(legs).hasSize(6);
    assertThat(legs.getValue(0)).isEqualTo(1);
    assertThat(legs.getValue(1)).isEqualTo(new BigDecimal("2.50"));
    assertThat(legs.getJsonObject(2).getValue("p")).isEqualTo(new BigDecimal("3.000000000000000000001"));
    assertThat(legs.getJsonArray(3).getValue(0)).isEqualTo(new BigDecimal("4.4"));
    assertThat(legs.getJsonArray(3).getString(1)).isEqualTo("x");
    assertThat(legs.getJsonArray(4)).isEmpty();
    assertThat(legs.getJsonObject(5)).isEmpty();
    assertThat(o.getJsonArray("tags").getList()).containsExactly("a", null, true);
    assertThat(o.getJsonObject("empty")).isEmpty();
    // the result is an ordinary JsonObject: it encodes back with every digit
    assertThat(o.encode()).contains("3.000000000000000000001").contains("0.00010000");
  }

  @Test
  void randomDecimalsRoundTripExactly() {
    Random rnd = new Random(1);
    for (int i = 0; i < 1000; i++) {
      BigDecimal v = new BigDecimal(new BigInteger(60 + rnd.nextInt(60), rnd), 1 + rnd.nextInt(25));
      if (rnd.nextBoolean()) v = v.negate();
      JsonObject o = parse("{\"v\":" + v.toPlainString() + "}");
      assertThat(o.getValue("v")).as(v.toPlainString()).isEqualTo(v);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "",
    "   ",
    "not json",
    "{\"a\":1,}",
    "{\"a\":}",
    "{\"a\":1",
    "{\"a\":[1,2}",
    "{'a':1}",
    "{\"a\":NaN}",
    "{\"a\":01}",
    "{\"a\":1} x",
    "{\"a\":1}}",
    "{\"a\":1} {\"b\":2}",
    "{\"a\":1} 5",
    "[1,2]",
    "\"text\"",
    "42",
    "null"
  })
  void invalidOrNonObjectJsonIsADecodeException(String body) {
    assertThatThrownBy(() -> parse(body)).isInstanceOf(DecodeException.class);
  }

  @Test
  void trailingWhitespaceIsFine() {
    assertThat(parse("  {\"a\":1}\n\t ").getValue("a")).isEqualTo(1);
  }

  // ------------------------------------------------------------------ Decimals.parse

  @Test
  void parseStrings() {
    assertThat(Decimals.parse("149.50")).isEqualTo(new BigDecimal("149.50"));
    assertThat(Decimals.parse(" 10 ")).isEqualTo(new BigDecimal("10"));
    assertThat(Decimals.parse("1.10000000000000000001")).isEqualTo(new BigDecimal("1.10000000000000000001"));
    assertThat(Decimals.parse("-0.5")).isEqualTo(new BigDecimal("-0.5"));
    // exponent forms end with a non-negative scale: 1E+3 is 1000, not 1E+3
    assertThat(Decimals.parse("1E+3")).isEqualTo(new BigDecimal("1000"));
    assertThat(Decimals.parse("1E+3").scale()).isZero();
    assertThat(Decimals.parse("1E+3").toString()).isEqualTo("1000");
    assertThat(Decimals.parse("2.5e-2")).isEqualTo(new BigDecimal("0.025"));
    assertThatThrownBy(() -> Decimals.parse("abc")).isInstanceOf(NumberFormatException.class);
    assertThatThrownBy(() -> Decimals.parse("")).isInstanceOf(NumberFormatException.class);
  }

  @Test
  void parseIntegersAndBigDecimals() {
    assertThat(Decimals.parse(10)).isEqualTo(new BigDecimal("10"));
    assertThat(Decimals.parse(-3)).isEqualTo(new BigDecimal("-3"));
    assertThat(Decimals.parse(9007199254740993L)).isEqualTo(new BigDecimal("9007199254740993"));
    assertThat(Decimals.parse((short) 7)).isEqualTo(new BigDecimal("7"));
    assertThat(Decimals.parse(new BigInteger("123456789012345678901234567890")))
      .isEqualTo(new BigDecimal("123456789012345678901234567890"));
    BigDecimal b = new BigDecimal("0.00010000");
    assertThat(Decimals.parse(b)).isSameAs(b);
    assertThat(Decimals.parse(new BigDecimal("5E+2"))).isEqualTo(new BigDecimal("500"));
    assertThat(Decimals.parse(null)).isNull();
  }

  @Test
  void parseDoublesByTheirShortestDecimalForm() {
    assertThat(Decimals.parse(0.1d)).isEqualTo(new BigDecimal("0.1"));
    assertThat(Decimals.parse(149.99d)).isEqualTo(new BigDecimal("149.99"));
    assertThat(Decimals.parse(1.1d)).isEqualTo(new BigDecimal("1.1"));
    assertThat(Decimals.parse(10.0d)).isEqualByComparingTo("10");
    assertThat(Decimals.parse(1e-7d)).isEqualByComparingTo("0.0000001");
    assertThat(Decimals.parse(1e20d)).isEqualTo(new BigDecimal("100000000000000000000"));
    assertThat(Decimals.parse(-2.5d)).isEqualTo(new BigDecimal("-2.5"));
    // what a Vert.x-decoded body would hold: the double 0.1 is not 0.1000000000000000055511151231257827...
    assertThat(Decimals.parse(new JsonObject("{\"p\":0.1}").getValue("p"))).isEqualTo(new BigDecimal("0.1"));
  }

  @Test
  void isMultipleOf() {
    assertThat(Decimals.isMultipleOf(new BigDecimal("150.00"), new BigDecimal("0.01"))).isTrue();
    assertThat(Decimals.isMultipleOf(new BigDecimal("150.000"), new BigDecimal("0.01"))).isTrue();
    assertThat(Decimals.isMultipleOf(new BigDecimal("149.555"), new BigDecimal("0.01"))).isFalse();
    assertThat(Decimals.isMultipleOf(new BigDecimal("3000"), new BigDecimal("1000"))).isTrue();
    assertThat(Decimals.isMultipleOf(new BigDecimal("3500"), new BigDecimal("1000"))).isFalse();
    assertThat(Decimals.isMultipleOf(new BigDecimal("-0.05"), new BigDecimal("0.01"))).isTrue();
    assertThat(Decimals.isMultipleOf(BigDecimal.ZERO, new BigDecimal("0.01"))).isTrue();
    assertThat(Decimals.isMultipleOf(new BigDecimal("0.0003"), new BigDecimal("0.0001"))).isTrue();
    assertThat(Decimals.isMultipleOf(new BigDecimal("0.00015"), new BigDecimal("0.0001"))).isFalse();
  }

  // ------------------------------------------------------------------ Decimals.money

  @Test
  void moneyHasTwoDecimalsAndThousandsSeparators() {
    assertThat(Decimals.money(new BigDecimal("15000"))).isEqualTo("15,000.00");
    assertThat(Decimals.money(new BigDecimal("5000"))).isEqualTo("5,000.00");
    assertThat(Decimals.money(new BigDecimal("1234567.891"))).isEqualTo("1,234,567.89");
    assertThat(Decimals.money(new BigDecimal("0.005"))).isEqualTo("0.01"); // half up
    assertThat(Decimals.money(new BigDecimal("0.004"))).isEqualTo("0.00");
    assertThat(Decimals.money(new BigDecimal("999.995"))).isEqualTo("1,000.00");
    assertThat(Decimals.money(BigDecimal.ZERO)).isEqualTo("0.00");
    assertThat(Decimals.money(new BigDecimal("-1234.5"))).isEqualTo("-1,234.50");
    assertThat(Decimals.money(new BigDecimal("12345678901234567890.12"))).isEqualTo("12,345,678,901,234,567,890.12");
  }

  /** Error details are part of what clients see: they must not change with the server's locale. */
  @Test
  void moneyDoesNotDependOnTheDefaultLocale() {
    Locale saved = Locale.getDefault();
    Locale savedFormat = Locale.getDefault(Locale.Category.FORMAT);
    try {
      for (Locale l : new Locale[]{Locale.GERMANY, Locale.FRANCE, new Locale("de", "CH"), new Locale("hi", "IN")}) {
        Locale.setDefault(l);
        assertThat(Decimals.money(new BigDecimal("15000"))).as(l.toString()).isEqualTo("15,000.00");
      }
    } finally {
      Locale.setDefault(saved);
      Locale.setDefault(Locale.Category.FORMAT, savedFormat);
    }
  }
}
