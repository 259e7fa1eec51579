"""Check that this app reaches Vigil: send a test error and a test message, and wait until both are sent.

    python manage.py vigil_test

Both show up on the project's Issues page in Vigil within a few seconds.
"""

import sentry_sdk
from django.core.management.base import BaseCommand, CommandError
from sentry_sdk.utils import Dsn


class VigilTestError(Exception):
    """Raised (and caught) by `manage.py vigil_test`; nothing is wrong."""


class Command(BaseCommand):
    help = "Send a test error and a test message to Vigil (needs VIGIL_DSN)."

    def handle(self, *args, **options):
        client = sentry_sdk.get_client()
        if not client.is_active() or not client.dsn:
            raise CommandError("Monitoring is off: set VIGIL_DSN to the DSN from the project's setup page.")
        dsn = Dsn(client.dsn)

        try:
            raise VigilTestError("This is a test error sent by manage.py vigil_test")
        except VigilTestError:
            error_id = sentry_sdk.capture_exception()
        message_id = sentry_sdk.capture_message("Test message sent by manage.py vigil_test", level="info")
        sentry_sdk.flush(timeout=10)

        if not error_id or not message_id:
            # before_send or a sample rate dropped them before they left.
            raise CommandError("The SDK dropped the test events (check before_send and sample_rate in settings).")
        self.stdout.write(f"Sent a test error (event {error_id}) and a test message (event {message_id})")
        self.stdout.write(f"to {dsn.scheme}://{dsn.host}{':' + str(dsn.port) if dsn.port not in (80, 443) else ''}, project {dsn.project_id}.")
        self.stdout.write("They appear on the project's Issues page within a few seconds.")
