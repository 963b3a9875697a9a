import { DONT_KNOW, SATISFACTION_5, type ScaleCoding } from './metadata'

/**
 * Codings for the five-point scales the templates use besides satisfaction. Each has the same shape as
 * SATISFACTION_5: 5 and 4 count as the positive answer, 3 as neither, 2 and 1 as the negative, and
 * "dont_know" stays outside the base.
 */
export { SATISFACTION_5 }

/** 5 Strongly agree, 4 Agree, 3 Neither agree nor disagree, 2 Disagree, 1 Strongly disagree. "Agree" counts as satisfied. */
export const AGREE_5: ScaleCoding = {
  satisfied: [4, 5],
  neither: [3],
  dissatisfied: [1, 2],
  dontKnow: [DONT_KNOW],
}

/** 5 Very easy, 4 Fairly easy, 3 Neither easy nor difficult, 2 Fairly difficult, 1 Very difficult. "Easy" counts as satisfied. */
export const EASE_5: ScaleCoding = {
  satisfied: [4, 5],
  neither: [3],
  dissatisfied: [1, 2],
  dontKnow: [DONT_KNOW],
}
