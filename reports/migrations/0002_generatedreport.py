"""ProgressReport becomes GeneratedReport (it stores conference reports' PDFs too): renamed, so
no row is lost. A PDF remembers the version of the conference report it was made of. A reported
event and the partner who wrote the report stay on record (RESTRICT); a conference report goes
with its project, which it now names (filled from its event's in 0003, required from 0004)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
        ('projects', '0002_help_texts'),
        ('reports', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name='ProgressReport', new_name='GeneratedReport'),
        migrations.RenameIndex(
            model_name='generatedreport',
            new_name='reports_gen_status_50cf67_idx',
            old_name='reports_pro_status_4b2496_idx',
        ),
        migrations.AlterField(
            model_name='generatedreport',
            name='project',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='generated_reports', to='projects.project'),
        ),
        migrations.AlterField(
            model_name='generatedreport',
            name='event',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='generated_reports', to='events.event'),
        ),
        migrations.AddField(
            model_name='generatedreport',
            name='report_version',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='conferencereport',
            name='event',
            field=models.OneToOneField(on_delete=django.db.models.deletion.RESTRICT, related_name='report', to='events.event'),
        ),
        migrations.AddField(
            model_name='conferencereport',
            name='project',
            field=models.ForeignKey(null=True, editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='conference_reports', to='projects.project'),
        ),
        migrations.AddField(
            model_name='historicalconferencereport',
            name='project',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.project'),
        ),
        migrations.AlterField(
            model_name='conferencereport',
            name='author',
            field=models.ForeignKey(help_text='The partner that writes it (the organiser, by default).', on_delete=django.db.models.deletion.RESTRICT, related_name='conference_reports', to='projects.partner'),
        ),
    ]
