"""Logistic regression by Newton-Raphson with the Hessian kept for standard errors, AIC and BIC."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import expit

from scorecard.errors import ModelError


@dataclass(frozen=True)
class LogitFit:
    """A fitted logistic regression: intercept first in ``params``, covariance from the inverse Hessian."""

    params: np.ndarray
    cov: np.ndarray
    loglik: float
    n_obs: int
    converged: bool
    n_iter: int

    @property
    def intercept(self) -> float:
        return float(self.params[0])

    @property
    def coef(self) -> np.ndarray:
        return self.params[1:]

    @property
    def std_err(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0, None))

    @property
    def z(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.params / self.std_err

    @property
    def p_value(self) -> np.ndarray:
        return 2 * stats.norm.sf(np.abs(self.z))

    @property
    def aic(self) -> float:
        return 2 * len(self.params) - 2 * self.loglik

    @property
    def bic(self) -> float:
        return len(self.params) * np.log(self.n_obs) - 2 * self.loglik

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(y = 1) for rows of ``X`` (without the intercept column)."""
        return expit(self.intercept + np.asarray(X, dtype=np.float64) @ self.coef)


def fit_logit(
    X: np.ndarray, y: np.ndarray, C: float = 1e6, tol: float = 1e-10, max_iter: int = 100
) -> LogitFit:
    """Maximise the log-likelihood minus ``||coef||^2 / (2 C)`` (intercept unpenalised), as sklearn's ``C``.

    Standard errors come from the inverse of the penalised Hessian, which equals the MLE's observed
    information when ``C`` is large (the default 1e6 is plain maximum likelihood for WOE inputs).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, k = X.shape
    design = np.column_stack([np.ones(n), X])
    penalty = np.full(k + 1, 1.0 / C)
    penalty[0] = 0.0
    rate = float(np.clip(y.mean(), 1e-12, 1 - 1e-12))
    beta = np.zeros(k + 1)
    beta[0] = np.log(rate / (1 - rate))

    def objective(eta: np.ndarray, b: np.ndarray) -> float:
        return float(y @ eta - np.logaddexp(0, eta).sum() - 0.5 * penalty @ (b * b))

    eta = design @ beta
    current = objective(eta, beta)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        p = expit(eta)
        grad = design.T @ (y - p) - penalty * beta
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            raise ModelError(
                "logistic regression cannot be fitted: WOE columns are perfectly collinear "
                "(drop one of the linked features or lower selection.max_correlation)"
            ) from None
        scale = 1.0
        while True:  # step halving keeps every Newton step uphill
            trial = beta + scale * step
            trial_eta = design @ trial
            value = objective(trial_eta, trial)
            if value >= current - 1e-12 * abs(current) or scale < 1e-6:
                break
            scale /= 2
        beta, eta, current = trial, trial_eta, value
        if np.max(np.abs(scale * step)) < tol * (1 + np.max(np.abs(beta))):
            converged = True
            break
    p = expit(eta)
    hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
    cov = np.linalg.pinv(hess)
    loglik = float(y @ eta - np.logaddexp(0, eta).sum())
    return LogitFit(params=beta, cov=cov, loglik=loglik, n_obs=n, converged=converged, n_iter=it)
