package io.orion.oms.order;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reports are applied one at a time per order: every ClOrdID of an order maps to the same key. */
class OrderKeyTest {
  @Test
  void legsRetriesCancelsAndReplacesOfAnOrderShareItsKey() {
    String ref = "ORD-20261122-0000042";
    assertThat(OrderLifecycle.orderKey(ref + "-1")).isEqualTo(ref);
    assertThat(OrderLifecycle.orderKey(ref + "-12-RMWR4UM390")).isEqualTo(ref);
    assertThat(OrderLifecycle.orderKey(ref + "-2-CMWR4UM39")).isEqualTo(ref);
    assertThat(OrderLifecycle.orderKey("ORD-20261122-0000043-1")).isNotEqualTo(ref);
    assertThat(OrderLifecycle.orderKey("foreign-id")).isEqualTo("foreign-id");
    assertThat(OrderLifecycle.orderKey(null)).isEmpty();
  }
}
