from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_partner_restrict"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="reporting_language",
            field=models.CharField(
                choices=[
                    ("en", "English"),
                    ("de", "Deutsch"),
                    ("fr", "Français"),
                    ("es", "Español"),
                    ("bg", "Български"),
                ],
                default="en",
                help_text=(
                    "The language of the project's PDF reports, unless one is chosen for a report."
                ),
                max_length=8,
            ),
        ),
    ]
