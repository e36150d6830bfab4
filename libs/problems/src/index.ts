export { DomainError, InvalidRequestError } from './domain.error';
export { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, type Problem, problemOf } from './problem';
export { ProblemFilter, errorSummary } from './problem.filter';
export { BODY_SHAPE_LIMITS, StrictValidationPipe } from './strict-validation.pipe';
