import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../view-context.js';
import { CsrfField } from './form-fields.js';

export type NavKey =
  | 'home'
  | 'licenses'
  | 'requests'
  | 'bulk'
  | 'orders'
  | 'subscriptions'
  | 'configurations'
  | 'usage'
  | 'webhooks'
  | 'mail'
  | 'audit'
  | 'tokens'
  | 'staff'
  | 'jobs';

const nav: Array<{ key: NavKey; href: string; label: string }> = [
  { key: 'licenses', href: '/licenses', label: 'Licenses' },
  { key: 'requests', href: '/license-requests', label: 'License requests' },
  { key: 'bulk', href: '/bulk-jobs', label: 'Bulk jobs' },
  { key: 'orders', href: '/orders', label: 'Orders' },
  { key: 'subscriptions', href: '/subscriptions', label: 'Subscriptions' },
  { key: 'configurations', href: '/ka-configurations', label: 'KA configurations' },
  { key: 'usage', href: '/usage', label: 'Usage' },
  { key: 'webhooks', href: '/webhooks', label: 'Webhooks' },
  { key: 'mail', href: '/mail', label: 'Mail' },
  { key: 'audit', href: '/audit', label: 'Audit log' },
];

/** Pages only admins may open. */
const adminNav: Array<{ key: NavKey; href: string; label: string }> = [
  { key: 'tokens', href: '/admin/api-tokens', label: 'API tokens' },
  { key: 'staff', href: '/admin/staff', label: 'Staff users' },
  { key: 'jobs', href: '/admin/jobs', label: 'Jobs' },
];

export interface LayoutProps {
  ctx: ViewContext;
  title: string;
  active?: NavKey;
  /** A small centred page (sign in). */
  narrow?: boolean;
  /** A link up to the page this one belongs to, shown above the title. */
  back?: ComponentChildren;
  /** Scripts of the page, served from `/assets` (the policy allows no inline script). */
  scripts?: string[];
  children: ComponentChildren;
}

/** The page frame: skip link, header with navigation and the signed-in user, one main landmark. */
export function Layout({ ctx, title, active, narrow, back, scripts, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Keyway`}</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        {scripts?.map((src) => (
          <script key={src} src={src} defer />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Keyway
          </a>
          {ctx.user && (
            <nav class="main-nav" aria-label="Main">
              <ul>
                {[...nav, ...(ctx.user.role === 'admin' ? adminNav : [])].map((item) => (
                  <li key={item.key}>
                    <a href={item.href} aria-current={item.key === active ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {ctx.user && (
            <form class="search" method="get" action="/search" aria-label="Search">
              <label for="global-search" class="visually-hidden">
                Search customers, orders and keys
              </label>
              <input
                id="global-search"
                type="search"
                name="q"
                maxLength={120}
                placeholder="Customer, e-mail, order, key…"
                value={ctx.searchTerm}
              />
              <button type="submit" class="button secondary">
                Search
              </button>
            </form>
          )}
          {ctx.user && (
            <form class="user" method="post" action="/sign-out">
              <span>
                {ctx.user.name} <span class="role">{ctx.user.role}</span>
              </span>
              <CsrfField ctx={ctx} />
              <button type="submit" class="button link">
                Sign out
              </button>
            </form>
          )}
        </header>
        <main id="main" class={narrow ? 'narrow' : undefined}>
          {back && <p class="breadcrumb">{back}</p>}
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}
