-- +goose Up
-- The service hall: halls with their queue settings, queue services (number prefix, range,
-- hours, daily limit, appointment slots), counters with their work profile, tickets,
-- appointments, the running handling-time average per service and hour, and ratings.
CREATE TABLE halls (
    id                     TEXT PRIMARY KEY,
    center_code            TEXT NOT NULL DEFAULT '',
    name                   TEXT NOT NULL,
    remind_ahead           INTEGER NOT NULL DEFAULT 3,
    recalls_before_no_show INTEGER NOT NULL DEFAULT 2,
    checkin_before_minutes INTEGER NOT NULL DEFAULT 30,
    checkin_after_minutes  INTEGER NOT NULL DEFAULT 15,
    booking_days           INTEGER NOT NULL DEFAULT 7
);

CREATE TABLE queue_services (
    code            TEXT PRIMARY KEY,
    hall_id         TEXT NOT NULL REFERENCES halls(id),
    name            TEXT NOT NULL,
    prefix          TEXT NOT NULL,
    range_from      INTEGER NOT NULL,
    range_to        INTEGER NOT NULL,
    opens           TEXT NOT NULL,
    closes          TEXT NOT NULL,
    daily_limit     INTEGER NOT NULL,
    service_minutes INTEGER NOT NULL DEFAULT 10,
    slot_minutes    INTEGER NOT NULL DEFAULT 30,
    slot_capacity   INTEGER NOT NULL DEFAULT 0,
    appt_from       TEXT NOT NULL DEFAULT '09:00',
    appt_to         TEXT NOT NULL DEFAULT '17:00',
    sections        TEXT NOT NULL DEFAULT '',
    call_seq        INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX queue_services_prefix ON queue_services(hall_id, prefix);

CREATE TABLE counters (
    id         TEXT PRIMARY KEY,
    hall_id    TEXT NOT NULL REFERENCES halls(id),
    name       TEXT NOT NULL,
    rule       TEXT NOT NULL DEFAULT 'longest_wait',
    open       INTEGER NOT NULL DEFAULT 1,
    staff      TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE counter_services (
    counter_id   TEXT NOT NULL REFERENCES counters(id),
    service_code TEXT NOT NULL REFERENCES queue_services(code),
    position     INTEGER NOT NULL,
    weight       INTEGER NOT NULL DEFAULT 1,
    calls_day    TEXT NOT NULL DEFAULT '',
    calls        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (counter_id, service_code)
);

CREATE TABLE tickets (
    id               TEXT PRIMARY KEY,
    hall_id          TEXT NOT NULL REFERENCES halls(id),
    service_code     TEXT NOT NULL REFERENCES queue_services(code),
    day              TEXT NOT NULL,
    seq              INTEGER NOT NULL,
    number           TEXT NOT NULL,
    priority         TEXT NOT NULL,
    rank             INTEGER NOT NULL,
    source           TEXT NOT NULL,
    appointment_id   TEXT,
    arrived_at       TIMESTAMP NOT NULL,
    entered_at       TIMESTAMP NOT NULL,
    order_us         INTEGER NOT NULL,
    status           TEXT NOT NULL,
    counter_id       TEXT NOT NULL DEFAULT '',
    staff            TEXT NOT NULL DEFAULT '',
    recalls          INTEGER NOT NULL DEFAULT 0,
    call_seq         INTEGER,
    called_at        TIMESTAMP,
    serving_at       TIMESTAMP,
    finished_at      TIMESTAMP,
    wait_seconds     INTEGER,
    service_seconds  INTEGER,
    transferred_from TEXT,
    transferred_to   TEXT,
    phone_enc        TEXT NOT NULL DEFAULT '',
    phone_idx        TEXT NOT NULL DEFAULT '',
    id_enc           TEXT NOT NULL DEFAULT '',
    id_idx           TEXT NOT NULL DEFAULT '',
    reminded         INTEGER NOT NULL DEFAULT 0,
    estimate_minutes INTEGER NOT NULL DEFAULT 0,
    idempotency_key  TEXT,
    created_by       TEXT NOT NULL
);
CREATE UNIQUE INDEX tickets_idempotency ON tickets(idempotency_key);
CREATE INDEX tickets_queue ON tickets(service_code, day, status, rank, order_us, seq);
CREATE INDEX tickets_counter ON tickets(counter_id, status);
CREATE INDEX tickets_day ON tickets(hall_id, day);
CREATE INDEX tickets_open ON tickets(status, day);
CREATE INDEX tickets_phone ON tickets(phone_idx, day);

CREATE TABLE service_hour_stats (
    service_code TEXT NOT NULL,
    hour         INTEGER NOT NULL,
    avg_seconds  REAL NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (service_code, hour)
);

CREATE TABLE appointment_slots (
    service_code TEXT NOT NULL REFERENCES queue_services(code),
    day          TEXT NOT NULL,
    slot         TEXT NOT NULL,
    booked       INTEGER NOT NULL,
    PRIMARY KEY (service_code, day, slot)
);

CREATE TABLE appointments (
    id           TEXT PRIMARY KEY,
    service_code TEXT NOT NULL REFERENCES queue_services(code),
    day          TEXT NOT NULL,
    slot         TEXT NOT NULL,
    status       TEXT NOT NULL,
    name         TEXT NOT NULL,
    phone_enc    TEXT NOT NULL,
    phone_idx    TEXT NOT NULL,
    id_enc       TEXT NOT NULL DEFAULT '',
    id_idx       TEXT NOT NULL DEFAULT '',
    ticket_id    TEXT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX appointments_day ON appointments(service_code, day, slot);
CREATE INDEX appointments_phone ON appointments(phone_idx, day);

CREATE TABLE ratings (
    id              INTEGER PRIMARY KEY,
    case_number     TEXT UNIQUE REFERENCES cases(number),
    ticket_id       TEXT UNIQUE REFERENCES tickets(id),
    level           INTEGER NOT NULL,
    comment         TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL,
    department_code TEXT NOT NULL DEFAULT '',
    service_code    TEXT NOT NULL DEFAULT '',
    counter_id      TEXT NOT NULL DEFAULT '',
    staff           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE ratings;
DROP TABLE appointments;
DROP TABLE appointment_slots;
DROP TABLE service_hour_stats;
DROP TABLE tickets;
DROP TABLE counter_services;
DROP TABLE counters;
DROP TABLE queue_services;
DROP TABLE halls;
