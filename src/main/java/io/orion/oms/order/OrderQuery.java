package io.orion.oms.order;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Filters and page of {@code GET /orders}; null fields do not filter. {@code page} counts from 1. */
public record OrderQuery(UUID accountId, String instrumentId, List<OrderStatus> statuses, Side side, Instant fromDate,
                         Instant toDate, int page, int limit) {
}
