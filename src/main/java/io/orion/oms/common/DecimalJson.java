package io.orion.oms.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;

/**
 * Parses a request body keeping every fractional number as {@link java.math.BigDecimal}: Vert.x's own
 * codec turns them into doubles, which would change a price like 1.10000001 before we saw it.
 */
public final class DecimalJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private DecimalJson() {}

  public static JsonObject parseObject(Buffer body) {
    try (JsonParser parser = FACTORY.createParser(body.getBytes())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) throw new DecodeException("JSON object expected");
      JsonObject obj = readObject(parser);
      if (parser.nextToken() != null) throw new DecodeException("Unexpected trailing content");
      return obj;
    } catch (IOException e) {
      throw new DecodeException("Invalid JSON: " + e.getMessage());
    }
  }

  private static JsonObject readObject(JsonParser p) throws IOException {
    JsonObject obj = new JsonObject();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      obj.put(name, readValue(p));
    }
    return obj;
  }

  private static JsonArray readArray(JsonParser p) throws IOException {
    JsonArray arr = new JsonArray();
    while (p.nextToken() != JsonToken.END_ARRAY) arr.add(readValue(p));
    return arr;
  }

  private static Object readValue(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case START_OBJECT -> readObject(p);
      case START_ARRAY -> readArray(p);
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue();
      case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new DecodeException("Unexpected token " + p.currentToken());
    };
  }
}
