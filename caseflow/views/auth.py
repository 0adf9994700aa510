"""Log in, log out, change password, switch language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from caseflow.errors import CaseflowError
from caseflow.extensions import limiter
from caseflow.forms.auth import LanguageForm, LoginForm, PasswordForm
from caseflow.security import verify_password
from caseflow.services.accounts import authenticate, user_set_locale, user_set_password

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """The login page; failures are counted per account and limited per address."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data)
        except CaseflowError as error:
            flash(error.render(_), "error")
            status = error.status if error.status != 401 else 200
        else:
            chosen = session.get("lang")  # a language picked on the login page wins
            session.clear()
            login_user(user)
            if chosen and chosen != user.locale:
                user_set_locale(user=user, locale=chosen)
            if user.locale:
                session["lang"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session."""
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; other sessions end."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            try:
                user_set_password(user=current_user, password=form.password.data)
            except CaseflowError as error:
                form.password.errors.append(error.render(_))
            else:
                login_user(current_user._get_current_object())
                flash(_("Your password has been changed; other sessions have been logged out."), "success")
                return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/lang", methods=["POST"])
def language():
    """Switch the interface language; remembered for the session and the account."""
    form = LanguageForm()
    target = _safe_next(form.next.data)
    if not form.validate_on_submit() or form.lang.data not in current_app.config["LANGUAGES"]:
        flash(_("Unknown language; the interface language is unchanged."), "error")
        return redirect(target)
    session["lang"] = form.lang.data
    if current_user.is_authenticated:
        user_set_locale(user=current_user, locale=form.lang.data)
    return redirect(target)
