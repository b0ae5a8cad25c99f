import type { Course, Level } from "@growit/contract";

const BEGINNER_FIRST: readonly Level[] = ["beginner", "intermediate", "advanced"];
// Someone who lists the category among their interests is past the basics: step up first.
const INTERESTED_FIRST: readonly Level[] = ["intermediate", "advanced", "beginner"];

/** How a course fared in recent recommendation lists (mart.course_open_rates). */
export interface OpenRate {
  impressions: number;
  opens: number;
}

/**
 * A course's open rate, pulled towards a prior of one open in ten showings so that a course
 * shown twice and opened once does not outrank one opened a hundred times in a thousand; every
 * course without data gets the prior alone, which keeps their order as it was.
 */
const PRIOR = { opens: 1, impressions: 10 };
export const smoothedOpenRate = (rate: OpenRate | undefined): number =>
  ((rate?.opens ?? 0) + PRIOR.opens) / ((rate?.impressions ?? 0) + PRIOR.impressions);

/**
 * Orders a category's courses for a caller. A caller whose interests include the category sees
 * intermediate and advanced courses first; everyone else (and anonymous callers) starts at
 * beginner. Within a level, courses learners opened more often from earlier lists come first
 * (openRates, refreshed by each ETL run); ties keep a stable order by title.
 */
export function rankCourses(
  courses: readonly Course[],
  category: string,
  interests: readonly string[] | null,
  openRates: ReadonlyMap<string, OpenRate> = new Map(),
): { courses: Course[]; personalized: boolean } {
  const personalized = interests?.includes(category) ?? false;
  const order = personalized ? INTERESTED_FIRST : BEGINNER_FIRST;
  const rate = (course: Course) => smoothedOpenRate(openRates.get(course.id));
  const ranked = [...courses].sort(
    (a, b) =>
      order.indexOf(a.level) - order.indexOf(b.level) || rate(b) - rate(a) || a.title.localeCompare(b.title, "ko"),
  );
  return { courses: ranked, personalized };
}
