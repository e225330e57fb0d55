"""Every hook a Kaoping plugin can implement. Each one is documented here; a test fails for
an undocumented hook (see tests/core/test_hookspecs.py).

A plugin is a module or object with functions marked ``@hookimpl``, registered through the
``kaoping`` entry-point group in its package's ``pyproject.toml``::

    [project.entry-points.kaoping]
    my_plugin = "my_package.plugin"

Hooks are synchronous (pluggy has no async hooks).
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("kaoping")
hookimpl = pluggy.HookimplMarker("kaoping")


@hookspec
def kaoping_routes() -> list:
    """Return Litestar route handlers (functions or controllers) this plugin serves.

    They are mounted on the app at start-up, next to the core's ``/api`` and ``/admin``, behind
    a guard that gives access by default: only to a signed-in user (401 otherwise), and only
    for a locality that user may see and that enabled the plugin (404 otherwise), named by a
    ``code`` path parameter or a campaign's ``campaign_id``; a route naming neither serves users
    of localities that enabled the plugin. A handler marked ``opt={"public": True}`` needs no
    sign-in (the ballot pages), but still answers 404 for a locality that has not enabled the
    plugin. Roles and the ids of your own data remain the handler's to check
    (docs/plugins.md).
    """


@hookspec
def kaoping_load_demo(ctx, actor, locality_code: str) -> list[str] | None:
    """Add this plugin's demo data to the freshly created demo locality ``locality_code``.

    Called once by ``kaoping demo`` (``make run``) right after the locality, its units,
    people, team and subjects are loaded. ``ctx`` is the ``core.context.AppContext`` and
    ``actor`` the system actor to write as. Return lines to print for the newcomer (e.g.
    where the printed ballot slips are), or None.
    """


@hookspec
def kaoping_scoring_rules() -> list:
    """Return scoring rules this plugin provides: objects shaped like
    ``core.scoring.ScoringRule`` (``name``, ``label_zh``, ``label_en``, ``options_model`` and
    ``score(data, options)``). A campaign names one in ``scoring: {rule, options}``; the
    rule's options are validated against ``options_model`` when the campaign is saved.
    """


@hookspec
def kaoping_distribution_policies() -> list:
    """Return forced-distribution policies this plugin provides: objects shaped like
    ``core.scoring.DistributionPolicy`` (``check_ballot`` at submit time, ``apply`` after
    ranking). A campaign lists them in ``distribution: [{policy, options}]``.
    """


@hookspec
def kaoping_adapters() -> list:
    """Return adapter types this plugin provides: objects shaped like
    ``core.adapters.AdapterType`` (``name``, labels, ``options_model``, ``secret_options``,
    ``test(options, context)`` and ``fetch(options, context)``). A locality's adapter source
    names one in ``adapter``; its options are validated against ``options_model``. See
    ``core/adapters.py`` for faults, records and what the core does around an adapter.
    """


@hookspec
def kaoping_adapter_targets() -> list:
    """Return record targets this plugin provides: objects shaped like
    ``core.adapters.RecordTarget`` (``name``, labels, ``options_model`` and
    ``write(ctx, session, options, records, run)``). An adapter source whose mapping names a target
    (``{"target": name, "options": {...}}``) hands every record it reads to that target instead
    of mapping it to indicator values: the target checks and writes them in the run's
    transaction (all or nothing, rejected records reported by where they came from, as for
    values). Only targets of plugins the source's locality has enabled may be named.
    """


@hookspec
def kaoping_adapter_run_finished(ctx, source, run) -> None:
    """Called after every run of an adapter source, succeeded or failed, once its outcome is
    committed. ``source`` is the ``AdapterSource`` and ``run`` the ``AdapterRun`` (read them;
    do not change them). Only plugins enabled for the source's locality are called. Use it to
    notify someone; an exception here is logged and does not change the run.
    """


@hookspec
def kaoping_periodic_tasks() -> list:
    """Return housekeeping tasks to run in the background: objects shaped like
    ``core.scheduler.PeriodicTask`` (``name``, ``every_seconds``, ``run(ctx)``). The scheduler
    of every app instance and ``kaoping worker`` runs each at that interval, so a task must be
    safe to run by several instances at once (e.g. a DELETE of what has expired). An exception
    is logged and the task runs again at its next interval.
    """


@hookspec
def kaoping_campaign_pages(locality_code: str, campaign_id: int) -> list | None:
    """Return tabs for a campaign's console pages: ``core.web.admin.menu.MenuEntry`` objects
    (``href`` under ``/admin/localities/{locality_code}/campaigns/{campaign_id}/...``), shown on
    the campaign's pages after the core's own tabs (setup, results), ordered by ``order``.

    Called like ``kaoping_admin_menu``: only for plugins the locality has enabled, each tab shown
    only to the roles it names; the pages must check the role and the locality themselves. The
    ballots plugin adds accounts and slips, turnout and paper ballots this way.
    """


@hookspec
def kaoping_subject_panels(ctx, locality_id: int, subjects: list) -> list | None:
    """Return panels of information about the subjects of a ballot (SPEC 3: 测评时可按权限查询被测评
    对象的相关信息): ``core.services.subject_panels.SubjectPanel`` objects (``subject_id``,
    ``key``, ``title_zh``, ``title_en``, ``items``: ``PanelItem(heading, text, heading_en)``, at most
    ``MAX_ITEMS`` of them, text cut at ``MAX_TEXT`` characters).

    ``subjects`` are ``core.services.subject_panels.SubjectRef`` objects (``id``, ``kind``
    ``person``/``unit``/``team``, ``ref_id``, ``name``) of locality ``locality_id``; answer
    for those you know (e.g. a person's recent work records), skip the others. Called only
    when the campaign allows it (``campaigns.subject_panels``) and only for plugins the
    locality has enabled; the evaluator is anonymous, so show only what the office meant
    evaluators to see (nothing in draft). Keep it to a few queries for all the subjects
    together: it runs each time the ballot page is shown. An exception is logged and that
    plugin's panels are left out.
    """


@hookspec
def kaoping_person_warnings(ctx, locality_id: int, on) -> list | None:
    """Return warnings about people of locality ``locality_id`` whose own work, as this plugin
    knows it, is falling behind on the date ``on`` (the goals plugin: goals behind schedule or
    overdue), for a plugin that acts on them (the cadre cloud flags them to the supervisor and
    the organisation department). Each is a dict:

    - ``person_id``;
    - ``key``: what it is about, the same on every call while it holds (e.g. ``goals:1234``, at
      most 150 characters), so a reader raises it once;
    - ``source``: where it comes from, short (e.g. ``goals``);
    - ``message_id``: an English message id with ``{name}`` fields (``{name}`` itself is the
      person's name, filled in by the reader), translated by this plugin's catalogue, and
      ``params``, JSON values for the other fields;
    - ``link`` (optional): a path of this site about it that the person's supervisors may open
      (e.g. the goal's page); the reader's own pages are its department's, so without one a
      supervisor's notice links nowhere.

    Called only for plugins the locality has enabled, from a periodic task: keep it to a few
    queries for the whole locality. An exception is logged and that plugin's warnings are left out.
    """


@hookspec
def kaoping_admin_menu(locality_code: str) -> list | None:
    """Return entries for the office console's navigation menu: ``core.web.admin.menu.MenuEntry``
    objects (``key``, ``label_zh``, ``label_en``, ``href``, ``roles``, ``order``).

    Called for the locality the console is showing, ``locality_code``, and only for plugins that
    locality has enabled (essential plugins always), so an entry disappears when the locality
    disables the plugin. Each entry is shown only to the roles it names; the pages it points to
    must still check the role and the locality themselves (answer 404 otherwise), as a menu is
    no guard. ``href`` must be a local path (``/admin/...``), built with ``locality_code``; the
    page should extend ``admin/base.html`` to get the header, menu and breadcrumbs.
    """


@hookspec
def kaoping_notification_created(notification) -> None:
    """Called once for every in-app notification after the transaction that wrote it commits
    (``core.services.notifications.notify``; a rolled-back one calls nobody). ``notification``
    is a detached ``core.models.Notification`` (``id``, ``locality_id``, ``user_id``, ``kind``,
    ``message_id``, ``params``: the message's values alone, dates as ISO text; ``catalogue``: the
    plugin whose catalogue holds the message when ``notify`` named one, else null;
    ``param_types``: which values are dates or datetimes, ``{"day": "date"}``, else null;
    ``link``, ``created_at``): read it, do not change it. Only
    plugins enabled for its locality are called (every plugin for a user without one). Use it
    to forward the notice to SMS or e-mail; keep it quick (queue slow work), since it runs in
    the request that notified. An exception is logged and changes nothing.
    """


@hookspec
def kaoping_cli_commands() -> list:
    """Return ``click`` commands (or groups) to add to the ``kaoping`` command line, e.g. the
    cadre cloud's group ``cadres`` with ``kaoping cadres synth CODE N``. Each is added under
    its own ``name``; a name the core already uses (``serve``, ``db``, ...) or that an earlier
    plugin took is left out with a warning, never replacing a command. Called for every
    installed plugin (the command line belongs to no locality); the commands are looked up only
    when ``kaoping`` runs, so a plugin that adds none costs nothing. Errors a command raises as
    ``core.services.errors.ServiceError`` or ``click.ClickException`` print as one line with exit
    code 1, as for the core's own commands. Build the app context with
    ``core.context.AppContext.from_settings(core.settings.load_settings())``.
    """


@hookspec
def kaoping_cadre_relation_kinds() -> list:
    """Return relation kinds for the cadre cloud's relationship check (关系检查), besides its
    built-in 同学, 同乡, 同事, 战友 and 亲戚: objects shaped like
    ``plugins.cadres.relations.RelationKind`` with ``name`` (a stable id, e.g. ``fellow_villager``),
    ``label`` (a message id of its name, in the plugin's catalogue), ``keys(person, context)``
    (hashable keys; only people sharing one are compared) and ``relate(a, b, context)`` (a
    ``Relation`` with strength and evidence, or None). Called only for plugins the locality
    enabled; a kind is checked where the locality's options of the cadre cloud name it
    (``relations.kinds``). The hook lives in the core because a feature plugin reaches another
    only through the core's hooks (DESIGN 10); the core itself never calls it.
    """
