import type { Course, Level } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { rankCourses } from "./ranking.ts";

const course = (id: string, level: Level): Course => ({
  id,
  category_id: "data",
  title: id,
  provider: "p",
  duration: "1h",
  level,
  url: `https://example.org/${id}`,
});
const courses = [
  course("c", "advanced"),
  course("a", "intermediate"),
  course("b", "beginner"),
  course("d", "beginner"),
];
const ids = (ranked: { courses: Course[] }) => ranked.courses.map((c) => c.id);

describe("rankCourses", () => {
  it("starts anonymous callers at beginner", () => {
    expect(ids(rankCourses(courses, "data", null))).toEqual(["b", "d", "a", "c"]);
    expect(rankCourses(courses, "data", null).personalized).toBe(false);
  });

  it("steps up for callers interested in the category", () => {
    const ranked = rankCourses(courses, "data", ["ai", "data"]);
    expect(ids(ranked)).toEqual(["a", "c", "b", "d"]);
    expect(ranked.personalized).toBe(true);
  });

  it("treats callers with other interests like newcomers", () => {
    expect(ids(rankCourses(courses, "data", ["design"]))).toEqual(["b", "d", "a", "c"]);
  });

  it("moves up, within its level, a course learners open more, and keeps interests first", () => {
    const rates = new Map([
      ["d", { impressions: 100, opens: 40 }],
      ["b", { impressions: 100, opens: 5 }],
      ["c", { impressions: 100, opens: 90 }],
    ]);
    expect(ids(rankCourses(courses, "data", null, rates))).toEqual(["d", "b", "a", "c"]);
    // An interested learner still starts at intermediate, however often beginners' courses are opened.
    expect(ids(rankCourses(courses, "data", ["data"], rates))).toEqual(["a", "c", "d", "b"]);
  });

  it("keeps the order it had without data, and does not let a course seen twice beat a proven one", () => {
    expect(ids(rankCourses(courses, "data", null, new Map()))).toEqual(["b", "d", "a", "c"]);
    const rates = new Map([
      ["d", { impressions: 2, opens: 1 }],
      ["b", { impressions: 1000, opens: 400 }],
    ]);
    expect(ids(rankCourses(courses, "data", null, rates))).toEqual(["b", "d", "a", "c"]);
  });
});
