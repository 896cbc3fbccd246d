-- What the expiry sweep reads every second: open GTD orders by expiry time, open DAY orders by age.
CREATE INDEX orders_gtd_open ON orders (expiry_date)
  WHERE time_in_force = 'gtd' AND status IN ('pending', 'working', 'partial_fill', 'pending_replace');
CREATE INDEX orders_day_open ON orders (created_at)
  WHERE time_in_force = 'day' AND status IN ('pending', 'working', 'partial_fill', 'pending_replace');
