# Issue 12: API tokens expire; the shared cache's table is created by `migrate`.

import datetime as dt

from django.conf import settings
from django.db import migrations, models


def fill_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = dt.timedelta(days=getattr(settings, "CHUKAI_API_TOKEN_DAYS", 30))
    for token in ApiToken.objects.all().only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + days)


def create_cache_table(apps, schema_editor):
    # `createcachetable` may have made it already (it makes the same columns): keep that one.
    model = apps.get_model("accounts", "CacheEntry")
    if model._meta.db_table not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(model)


def drop_cache_table(apps, schema_editor):
    model = apps.get_model("accounts", "CacheEntry")
    if model._meta.db_table in schema_editor.connection.introspection.table_names():
        schema_editor.delete_model(model)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(fill_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(db_index=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CacheEntry",
                    fields=[
                        ("cache_key", models.CharField(max_length=255, primary_key=True, serialize=False)),
                        ("value", models.TextField()),
                        ("expires", models.DateTimeField(db_index=True)),
                    ],
                    options={"db_table": "chukai_cache"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
