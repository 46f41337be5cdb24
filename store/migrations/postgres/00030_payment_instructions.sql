-- +goose Up
-- Payment instructions (issue 16, 秒到账): an approved case of an item with a payment block
-- (公积金提取) writes one instruction in the decision's transaction; a job sends it to the bank
-- (signed, Idempotency-Key = the instruction's id) and records the answer. The account and its
-- holder's name are personal data: sealed (identity.PII), the last four digits kept for display.
-- status: pending (not yet answered), sent (the bank took it, no final answer yet), confirmed,
-- refused. One instruction per case.
CREATE TABLE payment_instructions (
    id             BIGSERIAL PRIMARY KEY,
    case_number    TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    department_code TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL,
    account_enc    TEXT NOT NULL,
    account_last4  TEXT NOT NULL,
    name_enc       TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending',
    attempts       INTEGER NOT NULL DEFAULT 0,
    bank_reference TEXT NOT NULL DEFAULT '',
    refuse_reason  TEXT NOT NULL DEFAULT '',
    last_error     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    sent_at        TIMESTAMPTZ,
    answered_at    TIMESTAMPTZ
);
CREATE INDEX payment_instructions_status ON payment_instructions(status);

-- +goose Down
DROP TABLE payment_instructions;
