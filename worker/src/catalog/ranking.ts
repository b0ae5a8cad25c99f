import type { Course, Level } from "@growit/contract";

const BEGINNER_FIRST: readonly Level[] = ["beginner", "intermediate", "advanced"];
// Someone who lists the category among their interests is past the basics: step up first.
const INTERESTED_FIRST: readonly Level[] = ["intermediate", "advanced", "beginner"];

/**
 * Orders a category's courses for a caller. A caller whose interests include the
 * category sees intermediate and advanced courses first; everyone else (and anonymous
 * callers) starts at beginner. Ties keep a stable order by title.
 */
export function rankCourses(
  courses: readonly Course[],
  category: string,
  interests: readonly string[] | null,
): { courses: Course[]; personalized: boolean } {
  const personalized = interests?.includes(category) ?? false;
  const order = personalized ? INTERESTED_FIRST : BEGINNER_FIRST;
  const ranked = [...courses].sort(
    (a, b) => order.indexOf(a.level) - order.indexOf(b.level) || a.title.localeCompare(b.title, "ko"),
  );
  return { courses: ranked, personalized };
}
