-- +goose Up
-- 秒到账 corrections (issue 16): a refused instruction (支付被拒) or one the sender gave up on
-- (failed, 发送失败) is corrected and sent again as a new instruction — a new id, so a new
-- Idempotency-Key at the bank — and the old one is kept, pointing at its replacement
-- (replaced_by). A case has many instructions, one of them current (replaced_by IS NULL).
-- SQLite cannot drop the UNIQUE of case_number: the table is rebuilt (nothing refers to it).
CREATE TABLE payment_instructions_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    case_number    TEXT NOT NULL,
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
    created_at     TIMESTAMP NOT NULL,
    sent_at        TIMESTAMP,
    answered_at    TIMESTAMP,
    replaced_by    BIGINT
);
INSERT INTO payment_instructions_new (id, case_number, kind, department_code, amount_fen, account_enc, account_last4, name_enc, status,
    attempts, bank_reference, refuse_reason, last_error, created_at, sent_at, answered_at)
SELECT id, case_number, kind, department_code, amount_fen, account_enc, account_last4, name_enc, status,
    attempts, bank_reference, refuse_reason, last_error, created_at, sent_at, answered_at FROM payment_instructions;
DROP TABLE payment_instructions;
ALTER TABLE payment_instructions_new RENAME TO payment_instructions;
CREATE INDEX payment_instructions_status ON payment_instructions(status);
CREATE UNIQUE INDEX payment_instructions_current ON payment_instructions(case_number) WHERE replaced_by IS NULL;
CREATE INDEX payment_instructions_case ON payment_instructions(case_number);

-- +goose Down
DELETE FROM payment_instructions WHERE replaced_by IS NOT NULL;
DROP INDEX payment_instructions_current;
DROP INDEX payment_instructions_case;
ALTER TABLE payment_instructions DROP COLUMN replaced_by;
CREATE UNIQUE INDEX payment_instructions_case_unique ON payment_instructions(case_number);
