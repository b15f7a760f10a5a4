import type { RequestHandler } from 'express';
import type { KeywayMetrics } from '../infra/metrics/metrics.js';

/**
 * Times every HTTP request into `keyway_http_request_duration_seconds`, labelled by the route
 * pattern express matched (`/api/v1/orders/:id/pay`), never the raw path, so ids and probes do
 * not make a label each; a request no route matched is `unmatched`.
 */
export function httpMetrics(metrics: KeywayMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const pattern = req.route?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
