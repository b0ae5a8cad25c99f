// Through the worker's real entry point (SELF), whose events land in its own bucket: a page on
// another site that links to search or recommendations must not write into a learner's history.
import { describe, expect, it } from "vitest";
import { Browser, bronzeEvents, selfBucket } from "../../test/fixtures.ts";

/** Sec-Fetch-Site as browsers send it (undefined: not sent), and whether the server event is recorded. */
const CASES = [
  ["same-origin", true],
  ["none", true],
  [undefined, true],
  ["cross-site", false],
  ["same-site", false],
] as const;

async function signedUpLearner(): Promise<{ learner: Browser; username: string }> {
  const learner = new Browser();
  const username = `o${crypto.randomUUID().slice(0, 8)}`;
  const signup = await learner.request("/api/auth/signup", {
    json: { username, password: "0123456789", full_name: "O", interests: ["data"] },
  });
  expect(signup.status, await signup.clone().text()).toBe(201);
  return { learner, username };
}

const storedFor = async (username: string, type: string) =>
  (await bronzeEvents(selfBucket())).filter((e) => e.type === type && e.username === username);

describe("server events of search and recommendations", () => {
  it("are recorded for the learner's own requests only, never for another site's", async () => {
    const { learner, username } = await signedUpLearner();
    for (const [site, recorded] of CASES) {
      const headers: Record<string, string> = site ? { "sec-fetch-site": site } : {};
      const query = `sql ${site ?? "absent"}`;
      const search = await learner.request(`/api/search?q=${encodeURIComponent(query)}`, { headers });
      const recommendations = await learner.request("/api/recommendations?category=data", { headers });
      expect([search.status, recommendations.status], String(site)).toEqual([200, 200]);
      const searches = (await storedFor(username, "search_query")).filter(
        (e) => (e.props as { query: string }).query === query,
      );
      expect(searches, `search_query, Sec-Fetch-Site ${site}`).toHaveLength(recorded ? 1 : 0);
    }
    const recorded = CASES.filter(([, own]) => own).length;
    expect(await storedFor(username, "recommendation_request")).toHaveLength(recorded);
  });
});
