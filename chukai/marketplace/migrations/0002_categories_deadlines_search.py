import datetime as dt

from django.db import migrations, models

import chukai.marketplace.categories


def fill(apps, schema_editor):
    from chukai.marketplace.search import search_text_for

    Job = apps.get_model("marketplace", "Job")
    for job in Job.objects.all().iterator(chunk_size=2000):
        job.apply_by = job.created_at + dt.timedelta(days=14)
        job.search_text = search_text_for(job.title, job.description)
        job.save(update_fields=["apply_by", "search_text"])
    # A worker had no limit before: keep the newest live proposal per job and worker, withdraw the rest.
    Proposal = apps.get_model("marketplace", "Proposal")
    seen: set[tuple[int, int]] = set()
    for p in Proposal.objects.filter(status__in=["pending", "accepted"]).order_by("-status", "-created_at", "-id"):
        key = (p.job_id, p.worker_id)
        if key in seen:
            p.status = "withdrawn"
            p.save(update_fields=["status"])
        seen.add(key)


TRGM_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS job_open_search_trgm ON marketplace_job USING gin (search_text gin_trgm_ops) "
    "WHERE status = 'open'",
]


def trigram_index(apps, schema_editor):
    # PostgreSQL only: SQLite has no GIN; there the search scans (correct, and fast enough for a small site).
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in TRGM_SQL:
        schema_editor.execute(sql)


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS job_open_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="category",
            field=models.CharField(
                choices=[(c, c) for c in chukai.marketplace.categories.CODES], default="other", max_length=20
            ),
        ),
        migrations.AddField(model_name="job", name="apply_by", field=models.DateTimeField(null=True)),
        migrations.AddField(model_name="job", name="due_date", field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name="job", name="edited_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(
            model_name="job", name="search_text", field=models.TextField(default="", editable=False)
        ),
        migrations.AddField(
            model_name="proposal", name="edited_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="proposal", name="closed_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AlterField(
            model_name="proposal",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "pending"),
                    ("accepted", "accepted"),
                    ("declined", "declined"),
                    ("withdrawn", "withdrawn"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="job", name="apply_by", field=models.DateTimeField()),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                condition=models.Q(("status", "open")), fields=["-budget_jpy", "-id"], name="job_open_budget"
            ),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["category", "-created_at", "-id"],
                name="job_open_category",
            ),
        ),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "accepted"])),
                fields=("job", "worker"),
                name="proposal_one_live_per_worker",
            ),
        ),
        migrations.RunPython(trigram_index, trigram_index_drop, elidable=False),
    ]
