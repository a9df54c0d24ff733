from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0002_help_texts'),
        ('reports', '0003_fill_conference_report_project'),
    ]

    operations = [
        migrations.AlterField(
            model_name='conferencereport',
            name='project',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='conference_reports', to='projects.project'),
        ),
    ]
