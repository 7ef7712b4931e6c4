/* eslint-disable */
export default async () => {
    const t = {
        ["./health/health-status.dto.js"]: await import("./health/health-status.dto.js")
    };
    return { "@nestjs/swagger": { "models": [[import("./health/health-status.dto.js"), { "HealthStatusDto": { status: { required: true, example: "ok", enum: ["ok", "unavailable"] }, database: { required: false, example: "up", enum: ["up", "down"] } } }]], "controllers": [[import("./health/health.controller.js"), { "HealthController": { "getLiveness": { summary: "The process is up and serving HTTP.", type: t["./health/health-status.dto.js"].HealthStatusDto }, "getReadiness": { summary: "The service can do its work: the database answers.", type: t["./health/health-status.dto.js"].HealthStatusDto } } }], [import("./observability/metrics.controller.js"), { "MetricsController": { "getMetrics": { type: String } } }]] } };
};