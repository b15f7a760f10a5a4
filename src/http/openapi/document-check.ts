import type { Router } from 'express';
import type { RoleGuard } from '../access.js';
import type { ApiOperation } from './api-operation.js';

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: Partial<RoleGuard> }> };
}

const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * Where the served API and its operations disagree: a route without an operation, an
 * operation without a route, or other roles than the route's guard. Empty when they agree.
 */
export function documentProblems(
  routers: Array<{ router: Router; authenticated: boolean }>,
  operations: ApiOperation[],
): string[] {
  const problems: string[] = [];
  const seen = new Set<ApiOperation>();
  for (const { router, authenticated } of routers) {
    for (const layer of router.stack as RouteLayer[]) {
      if (!layer.route) continue;
      const { path, methods, stack } = layer.route;
      for (const method of Object.keys(methods).filter((m) => methods[m] && m !== '_all')) {
        const name = `${method.toUpperCase()} ${path}`;
        const op = operations.find((o) => o.method === method && o.path === path);
        if (!op) {
          problems.push(`${name} is served but has no operation in the API document`);
          continue;
        }
        seen.add(op);
        const guard = stack.map((s) => s.handle.allowedRoles).find((r) => r !== undefined);
        const expected = !authenticated ? 'none' : (guard ?? 'any');
        const matches =
          typeof expected === 'string'
            ? op.roles === expected
            : Array.isArray(op.roles) && sameRoles(op.roles, expected);
        if (!matches)
          problems.push(
            `${name} allows ${typeof expected === 'string' ? expected : expected.join(', ')}, its operation says ${Array.isArray(op.roles) ? op.roles.join(', ') : op.roles}`,
          );
      }
    }
  }
  for (const op of operations)
    if (!seen.has(op)) problems.push(`${op.method.toUpperCase()} ${op.path} is in the API document but not served`);
  return problems;
}
