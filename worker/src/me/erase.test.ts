// DELETE /api/me through the worker's real entry point (SELF): the account, its sessions and
// throttles go at once, an erasure request is recorded, and the name stays taken for the horizon.
import { env } from "cloudflare:test";
import { ERASURE, type ErasureRequested, type PipelineStatus } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { Browser, logIn, PASSWORD, signedIn, signUp, sql, uniqueName } from "../../test/fixtures.ts";

const erasuresOf = (username: string) =>
  sql<{ status: string; account_created_at: Date; requested_at: Date }>(
    env,
    "SELECT status, account_created_at, requested_at FROM app.erasures WHERE username = $1",
    [username],
  );

describe("DELETE /api/me", () => {
  it("deletes the account and every session with the password, records the erasure and says when it completes", async () => {
    const username = uniqueName();
    const browser = new Browser();
    expect((await signUp(browser, username)).status).toBe(201);
    const otherDevice = new Browser();
    expect((await logIn(otherDevice, username, PASSWORD)).status).toBe(200);

    const answer = await browser.request("/api/me", { method: "DELETE", json: { password: PASSWORD } });
    expect(answer.status).toBe(202);
    expect(answer.headers.get("set-cookie")).toMatch(/growit_session=;/);
    const body = (await answer.json()) as ErasureRequested;
    expect(body.status).toBe("pending");
    expect(new Date(body.complete_by).getTime() - new Date(body.requested_at).getTime()).toBe(
      ERASURE.erasureDueHours * 3_600_000,
    );

    expect(await sql(env, "SELECT 1 FROM app.users WHERE username = $1", [username])).toEqual([]);
    expect(await sql(env, "SELECT 1 FROM app.sessions WHERE username = $1", [username])).toEqual([]);
    const [erasure] = await erasuresOf(username);
    expect(erasure?.status).toBe("pending");
    expect(new Date(erasure?.requested_at ?? 0).toISOString()).toBe(body.requested_at);
    // The other device's session is revoked too.
    expect((await otherDevice.request("/api/me")).status).toBe(401);
    expect((await logIn(new Browser(), username, PASSWORD)).status).toBe(401);
  });

  it("keeps the account on a wrong or missing password, and refuses the signed-out", async () => {
    const username = uniqueName();
    const browser = new Browser();
    await signUp(browser, username);
    const wrong = await browser.request("/api/me", { method: "DELETE", json: { password: "not the password" } });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ error: "the password is wrong; the account was not deleted" });
    const missing = await browser.request("/api/me", { method: "DELETE", json: {} });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/password/);
    expect((await new Browser().request("/api/me", { method: "DELETE", json: { password: PASSWORD } })).status).toBe(
      401,
    );
    expect((await browser.request("/api/me")).status).toBe(200);
    expect(await erasuresOf(username)).toEqual([]);
  });

  it("throttles password guesses like logins", async () => {
    const username = uniqueName();
    const browser = new Browser();
    await signUp(browser, username);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await browser.request("/api/me", { method: "DELETE", json: { password: `guess ${i}` } })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses[5]).toBe(429);
    expect((await browser.request("/api/me")).status).toBe(200);
  });

  it("refuses the erased name at sign-up for the horizon, naming the day it is free", async () => {
    const username = uniqueName();
    const browser = new Browser();
    await signUp(browser, username);
    await browser.request("/api/me", { method: "DELETE", json: { password: PASSWORD } });
    const again = await signUp(new Browser(), username);
    expect(again.status).toBe(409);
    const [erasure] = await erasuresOf(username);
    const freeFrom = new Date((erasure?.requested_at.getTime() ?? 0) + ERASURE.nameBlockedDays * 86_400_000);
    expect(await again.json()).toEqual({
      error: `username ${username} was erased recently; it can be taken from ${freeFrom.toISOString()}`,
    });

    // Past the horizon the name is free again.
    await sql(
      env,
      "UPDATE app.erasures SET requested_at = requested_at - make_interval(days => $2) WHERE username = $1",
      [username, ERASURE.nameBlockedDays],
    );
    expect((await signUp(new Browser(), username)).status).toBe(201);
  });

  it("shows analysts the requests' state and counts, never whose they are", async () => {
    const username = uniqueName();
    const browser = new Browser();
    await signUp(browser, username);
    await browser.request("/api/me", { method: "DELETE", json: { password: PASSWORD } });
    const { browser: analyst } = await signedIn("analyst");
    const answer = await analyst.request("/api/status");
    expect(answer.status).toBe(200);
    const text = await answer.text();
    expect(text).not.toContain(username);
    const { erasures } = JSON.parse(text) as PipelineStatus;
    expect(erasures.pending).toBeGreaterThanOrEqual(1);
    expect(erasures.recent[0]).toMatchObject({ status: "pending", attempts: 0, completed_at: null });
  });
});
