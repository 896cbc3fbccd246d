package io.orion.oms.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The request body's validator is built once per schema and still validates as the contract says. */
class ValidatorCachingContractTest {
  @Test
  void oneValidatorPerSchemaThatStillRefusesBadBodies() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      OpenAPIContract contract = OpenAPIContract.from(vertx, "openapi.yaml").toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
      ValidatorCachingContract cached = new ValidatorCachingContract(contract);
      Operation submit = cached.operation("submitOrder");
      JsonSchema body = submit.getRequestBody().getContent().get("application/json").getSchema();

      var first = cached.getSchemaRepository().validator(body);
      assertThat(cached.getSchemaRepository().validator(body)).as("reused").isSameAs(first);
      assertThat(contract.getSchemaRepository().validator(body)).as("the plain repository builds anew")
        .isNotSameAs(contract.getSchemaRepository().validator(body));

      OutputUnit bad = first.validate(new JsonObject().put("side", "sideways"));
      assertThat(bad.getValid()).isFalse();
      OutputUnit alsoBad = cached.getSchemaRepository().validator(body).validate(new JsonObject());
      assertThat(alsoBad.getValid()).as("a reused validator keeps no state from the last call").isFalse();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
