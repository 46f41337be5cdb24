-- +goose Up
-- 秒到账 corrections (issue 16): a refused instruction (支付被拒) or one the sender gave up on
-- (failed, 发送失败) is corrected and sent again as a new instruction — a new id, so a new
-- Idempotency-Key at the bank — and the old one is kept, pointing at its replacement
-- (replaced_by). A case has many instructions, one of them current (replaced_by IS NULL).
ALTER TABLE payment_instructions DROP CONSTRAINT payment_instructions_case_number_key;
ALTER TABLE payment_instructions ADD COLUMN replaced_by BIGINT;
CREATE UNIQUE INDEX payment_instructions_current ON payment_instructions(case_number) WHERE replaced_by IS NULL;
CREATE INDEX payment_instructions_case ON payment_instructions(case_number);

-- +goose Down
DELETE FROM payment_instructions WHERE replaced_by IS NOT NULL;
DROP INDEX payment_instructions_current;
DROP INDEX payment_instructions_case;
ALTER TABLE payment_instructions DROP COLUMN replaced_by;
ALTER TABLE payment_instructions ADD CONSTRAINT payment_instructions_case_number_key UNIQUE (case_number);
