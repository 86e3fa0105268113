"""On PostgreSQL, refuse at commit any ledger transaction whose legs do not sum to zero."""

from typing import Any

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger AS $$
DECLARE
    txn bigint;
    total numeric;
BEGIN
    IF TG_OP = 'DELETE' THEN txn := OLD.transaction_id; ELSE txn := NEW.transaction_id; END IF;
    SELECT COALESCE(SUM(amount), 0) INTO total FROM ledger_leg WHERE transaction_id = txn;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: legs sum to %', txn, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_leg_balanced
    AFTER INSERT OR UPDATE OR DELETE ON ledger_leg
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg;
DROP FUNCTION IF EXISTS ledger_check_balanced();
"""


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)  # no params: the '%' of RAISE is not a placeholder


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
