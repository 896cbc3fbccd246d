package io.orion.oms.common;

/** Carries a {@link Problem} through a failed future inside one process; never sent over the bus. */
public final class ProblemException extends RuntimeException {
  private final Problem problem;

  public ProblemException(Problem problem) {
    super(problem.code() + ": " + problem.detail(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
