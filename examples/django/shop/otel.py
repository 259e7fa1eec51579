"""Send `logging` records to Vigil with OpenTelemetry's OTLP/HTTP exporter.

An alternative to sentry-sdk's `enable_logs=True`, for teams that already run
OpenTelemetry. The endpoint and key are derived from the same Vigil DSN.
"""

# [otlp]
from opentelemetry._logs import set_logger_provider
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from sentry_sdk.utils import Dsn


def otlp_logs_endpoint(dsn: str) -> tuple[str, str]:
    """`http://KEY@host/42` -> (`http://host/api/42/integration/otlp/v1/logs`, `KEY`)."""
    parsed = Dsn(dsn)
    url = f"{parsed.scheme}://{parsed.netloc}{parsed.path}api/{parsed.project_id}/integration/otlp/v1/logs"
    return url, parsed.public_key


def otlp_logging_handler(dsn: str, service_name: str = "shop") -> dict:
    """A `LOGGING["handlers"]` entry that exports records over OTLP/HTTP (protobuf)."""
    endpoint, key = otlp_logs_endpoint(dsn)
    provider = LoggerProvider(resource=Resource.create({"service.name": service_name}))
    exporter = OTLPLogExporter(endpoint=endpoint, headers={"Authorization": f"Bearer {key}"})
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
    set_logger_provider(provider)
    return {
        "class": "opentelemetry.instrumentation.logging.handler.LoggingHandler",
        "logger_provider": provider,
    }
# [/otlp]
