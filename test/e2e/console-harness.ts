import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Dialect } from '../../src/infra/db/database.js';
import { StaffUserStore } from '../../src/features/auth/staff-user-store.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';

/** Where screenshots for review go (ignored by git). */
export const artifactsDir = path.resolve('test/artifacts');

export const staff = {
  admin: { email: 'admin@example.com', password: 'admin-password-123', role: 'admin' as const, name: 'Ada Admin' },
  operator: {
    email: 'operator@example.com',
    password: 'operator-password-123',
    role: 'operator' as const,
    name: 'Otto Operator',
  },
  viewer: {
    email: 'viewer@example.com',
    password: 'viewer-password-123',
    role: 'viewer' as const,
    name: 'Vera Viewer',
  },
};
export type StaffName = keyof typeof staff;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.KEYWAY_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Console {
  api: TestApi;
  browser: Browser;
  /** A fresh browser context (own cookies) signed in as this staff user. */
  signedIn(who: StaffName): Promise<{ context: BrowserContext; page: Page }>;
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Keyway process on a fresh database of this dialect with one staff user per role, and a
 * Chromium to drive it. Screenshots of the MariaDB run carry the dialect in their names.
 */
export async function startConsole(dialect: Dialect, env: Record<string, string> = {}): Promise<Console> {
  const api = await startTestApi(dialect, env);
  const users = new StaffUserStore();
  for (const u of Object.values(staff)) await users.create(api.running.context.db, u);
  const browser = await launchChromium();
  mkdirSync(artifactsDir, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    api,
    browser,
    async signedIn(who) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      contexts.push(context);
      const page = await context.newPage();
      await signIn(page, api.url, staff[who].email, staff[who].password);
      return { context, page };
    },
    async screenshot(page, name) {
      await page.screenshot({
        path: path.join(artifactsDir, `${name}${dialect === 'sqlite' ? '' : `-${dialect}`}.png`),
        fullPage: true,
      });
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await api.close();
    },
  };
}

export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
}
