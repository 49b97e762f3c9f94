"""`bot` command line: run the whole stack, prepare the database, manage agents.

    bot run            start Rasa, action server and desk (demo shop, SQLite by default), keep them running
    bot serve rasa|actions|desk [...]   one of them, as systemd or Kubernetes starts it (token from RASA_TOKEN)
    bot run --replicas 2 --database postgresql+psycopg2://… --redis redis://…   the production topology
    bot db upgrade     bring DATABASE_URL to the newest schema
    bot seed           demo shop orders and the demo agent
    bot agents add|list|disable|unlock
    bot escalation backtest --since 7d   replay past conversations through today's rules and NLU
    bot privacy export --email a@b.nl [--out file.json]   everything of one customer (AVG)
    bot privacy erase --email a@b.nl --yes                 erase it in the desk and Rasa's tracker store
    bot privacy scrub-history --text "Piet Jansen" --yes  and out of the editors' git history
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path

from bot.config import ROOT, get_settings


def _stop_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt


def _banner(stack, team, open_now: bool) -> str:
    from bot import hours
    from bot.seed import DEMO_AGENT

    lines = [
        "\nBalie is running.",
        f"  Shop page with chat:  {stack.desk_url}/",
        f"  Agent console:        {stack.desk_url}/console   (demo login: {DEMO_AGENT['username']} / {DEMO_AGENT['password']})",
        f"  Editors' page:        {stack.desk_url}/editor   (inbox, FAQ answers, retraining)",
        f"  Team leads:           {stack.desk_url}/dashboard   (or: .venv/bin/bot report --since 7d)",
        f"  Health:               {stack.desk_url}/health",
        f"  API documentation:    {stack.desk_url}/docs",
        f"  Team hours:           {team.weekly_summary()} ({hours.hours_file().name}); "
        + ("open now." if open_now else "closed now, so customers who ask for a person get a callback offer."),
    ]
    if stack.clustered:
        lines.append(f"  Topology:             nginx -> {stack.replicas} desk replicas, {len(stack.rasa_names)} Rasa, "
                     f"{len(stack.action_names)} action servers; PostgreSQL {stack.database_url.rsplit('@', 1)[-1]}, "
                     f"Redis {stack.redis_url}")
    lines.append(f"  Processes:            pids in {stack.log_dir / 'pids.json'}; one that stops is restarted.")
    lines.append("Press Ctrl-C to stop everything.")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    import signal
    from datetime import datetime, timezone

    from bot import hours
    from bot.processes import Stack, ensure_postgres_database
    from bot.seed import seed_demo

    settings = get_settings()
    model = Path(args.model)
    if not model.exists():
        print(f"No trained model at {model}; run `make train` first.", file=sys.stderr)
        return 1
    try:
        team = hours.load()
    except hours.HoursError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
    database = args.database or settings.database_url
    redis = args.redis or settings.redis_url
    open_now = team.is_open(datetime.now(timezone.utc))
    try:
        stack = Stack(database_url=database, model=model, log_dir=Path(args.log_dir), rasa_port=args.rasa_port,
                      action_port=args.action_port, desk_port=args.desk_port, replicas=args.replicas, redis_url=redis)
    except ValueError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    if database.startswith("sqlite:///"):
        Path(database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    elif database.startswith("postgresql"):
        ensure_postgres_database(database, trackers=stack.clustered)
    print("Preparing the database and the demo shop ...", flush=True)
    shop_database = database if args.database else settings.shop_database_url  # --database: the shop lives there too
    seed_demo(database, shop_database, history=True)
    stack.supervisor.say = lambda text: print(text, file=sys.stderr, flush=True)
    what = "Rasa, the action server and the desk" if not stack.clustered else \
        f"nginx, {stack.replicas} desks, {len(stack.rasa_names)} Rasa and {len(stack.action_names)} action servers"
    print(f"Starting {what} (logs in {stack.log_dir}/) ...", flush=True)
    # Ctrl-C and SIGTERM both stop everything, also when started without a terminal.
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    stack.start()
    try:
        stack.wait_healthy(timeout=args.start_timeout)
        print(_banner(stack, team, open_now), flush=True)
        while True:  # a process that stops is restarted; the others keep serving
            stack.supervisor.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping ...")
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        stack.stop()


def _serve(args: argparse.Namespace) -> int:
    from bot.serving import serve

    return serve(args.process, [a for a in args.args if a != "--"])


def _db_upgrade(_: argparse.Namespace) -> int:
    from bot.desk.migrate import upgrade

    upgrade(get_settings().database_url)
    print("Database is up to date.")
    return 0


def _seed(_: argparse.Namespace) -> int:
    from bot.seed import seed_demo

    settings = get_settings()
    added = seed_demo(settings.database_url, settings.shop_database_url, history=True)
    print("Demo shop and demo agent are ready."
          + (f" Added {added} demo conversations of the last two weeks for the dashboard." if added else ""))
    return 0


def _agents(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.desk.agents import lockout, service
    from bot.desk.agents.models import Agent
    from bot.desk.db import make_engine, make_sessionmaker

    engine = make_engine(get_settings().database_url)
    with make_sessionmaker(engine)() as session:
        if args.agents_command == "list":
            for agent in session.scalars(select(Agent).order_by(Agent.username)):
                state = "actief" if agent.active else "uitgeschakeld"
                print(f"{agent.username:20} {agent.first_name:15} {agent.role:6} {state}{' (demo)' if agent.is_demo else ''}")
            return 0
        if args.agents_command == "disable":
            agent = service.disable(session, username=args.username)
            if agent is None:
                print(f"No agent called {args.username}.", file=sys.stderr)
                return 1
            session.commit()
            print(f"{agent.username} is disabled; their sign-ins have ended.")
            return 0
        if args.agents_command == "unlock":
            username = args.username.strip().lower()
            cleared = lockout.unlock(session, username=username)
            if cleared is None:
                print(f"No agent called {args.username}.", file=sys.stderr)
                return 1
            session.commit()
            print(f"{username} can sign in again from anywhere ({cleared} lock counter(s) cleared).")
            return 0
        password = os.environ.get("BALIE_AGENT_PASSWORD") or getpass.getpass("Password (8+ characters): ")
        try:
            service.create_agent(session, username=args.username, first_name=args.first_name, password=password,
                                 role=args.role)
            session.commit()
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        except Exception as exc:  # noqa: BLE001 - unique username violated
            print(f"Could not add {args.username}: {exc.__class__.__name__}", file=sys.stderr)
            return 1
        print(f"{args.username} added as {args.role}.")
        return 0


def _project(args: argparse.Namespace) -> Path | None:
    """The bot project the command works on: --project, else the folder you stand in (like Rasa's own
    commands). None, with a message, when it holds no bot project."""
    project = Path(args.project or Path.cwd()).resolve()
    missing = [name for name in ("data", "domain.yml", "config.yml") if not (project / name).exists()]
    if missing:
        print(f"Geen Balie-project in {project}: {', '.join(missing)} ontbreekt. Ga naar de map van het project "
              "of geef --project.", file=sys.stderr)
        return None
    os.environ.setdefault("BOT_PROJECT_DIR", str(project))  # its topics.yml names the topics
    return project


def _nlu_check(args: argparse.Namespace) -> int:
    from bot.nlu.check import check, errors

    project = _project(args)
    if project is None:
        return 2
    data_dir = Path(args.data).resolve() if args.data else project / "data"
    if not data_dir.is_dir():
        print(f"Geen map {data_dir}.", file=sys.stderr)
        return 2
    print(f"Controleert {data_dir} (project {project}).", flush=True)
    if not args.no_rasa:
        print("rasa data validate draait mee (een halve minuut) ...", flush=True)
    findings = check(project, data_dir, with_rasa=not args.no_rasa, min_examples=args.min_examples)
    for finding in findings:
        print(finding)
    wrong, warned = len(errors(findings)), len(findings) - len(errors(findings))
    if wrong:
        print(f"\n{wrong} fout(en), {warned} waarschuwing(en): los de fouten op voordat je traint.")
        return 1
    print(f"NLU-gegevens: geen fouten, {warned} waarschuwing(en).")
    return 0


def _nlu_coverage(args: argparse.Namespace) -> int:
    from bot.nlu import coverage

    project = _project(args)
    if project is None:
        return 2
    path = Path(args.file) if args.file else project / "tests" / "data" / "coverage_dev.yml"
    model = Path(args.model) if args.model else project / "models" / "balie.tar.gz"
    try:
        cases = coverage.load(path)
    except coverage.CoverageFileError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if not model.is_file():
        print(f"No trained model at {model}: run `make train` or give --model.", file=sys.stderr)
        return 2
    print(f"{len(cases)} messages from {path} through {model} ...", flush=True)
    report = coverage.evaluate(cases, coverage.Parser(model).parse)
    print("\n".join(coverage.lines(report, show_wrong=not args.quiet)))
    wrong = report.share("wrong")
    if wrong > args.max_wrong:
        print(f"Too many wrong confident answers: {100 * wrong:.1f} % > {100 * args.max_wrong:.1f} %")
        return 1
    return 0


def _nlu_report(args: argparse.Namespace) -> int:
    from bot.nlu.report import build

    project = _project(args)
    if project is None:
        return 2
    args.data = args.data or str(project / "data" / "nlu")
    args.config = args.config or str(project / "config.yml")
    out = Path(args.out or project / "var" / "nlu-report")
    print(f"Cross-validating the NLU in {args.folds} folds (each fold trains a model; log: {out / 'rasa-test.log'}) ...",
          flush=True)
    try:
        summary = build(data_dir=Path(args.data), config=Path(args.config), out=out, folds=args.folds)
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for kind in ("intents", "responses"):
        weighted = summary.get(f"{kind}_weighted_f1")
        print(f"\n{kind}: weighted F1 {weighted if weighted is not None else '-'} (weakest first)")
        for row in summary[kind][:8]:
            print(f"  {row['label']:28} F1 {row['f1']:.2f}  ({row['support']} examples)")
    if summary["confused"]:
        print("\nMost confused:")
        for pair in summary["confused"][:5]:
            print(f"  {pair['expected']} -> {pair['predicted']} ({pair['count']}x): "
                  + " | ".join(pair["examples"][:2]))
    print(f"\nWritten to {out} in {summary['seconds']} s (index.html, summary.json, confusion matrices).")
    return 0


def _report(args: argparse.Namespace) -> int:
    from bot.desk.db import make_engine, make_sessionmaker
    from bot.desk.reports.render import to_csv, to_html
    from bot.desk.reports.service import PeriodError, compute
    from bot.hours import HoursError, load as business_hours

    project = _project(args)
    if project is None:
        return 2
    args.out = args.out or str(project / "var" / "reports")
    engine = make_engine(get_settings().database_url)
    try:
        tz = business_hours().tz  # days begin and end in the team's time zone
        with make_sessionmaker(engine)() as session:
            report = compute(session, tz=tz, since=args.since)
    except (PeriodError, HoursError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"balie-report-{args.since}"
    (out / f"{stem}.html").write_text(to_html(report), encoding="utf-8")
    (out / f"{stem}.csv").write_text(to_csv(report), encoding="utf-8")
    print(f"{report.conversations} conversations, {report.handoffs} handed over, "
          f"containment {'-' if report.containment is None else f'{report.containment:.0%}'}.")
    for spike in report.spikes:
        print("  " + spike)
    print(f"Written: {out / (stem + '.html')} and {out / (stem + '.csv')}")
    return 0


def _backtest(args: argparse.Namespace) -> int:
    """Replays the customer messages of stored conversations through today's judgement (issue 18)."""
    import asyncio

    from bot.desk.backtest.service import past_conversations
    from bot.desk.db import make_engine, make_sessionmaker
    from bot.desk.reports.service import PeriodError, parse_since
    from bot.escalation import load_rules
    from bot.escalation.backtest import backtest, render_table, responses_by_text
    from bot.escalation import replay_nlu

    try:
        period = parse_since(args.since)
    except PeriodError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    rules_file = Path(args.rules)
    try:
        rules = load_rules(rules_file.resolve())
    except (OSError, KeyError, TypeError, ValueError) as exc:
        print(f"Cannot read the rules in {rules_file}: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(args.database or get_settings().database_url)
    try:
        with make_sessionmaker(engine)() as session:
            past = past_conversations(session, period=period)
    except Exception as exc:  # a wrong URL, a database without the desk's tables
        print(f"Cannot read the conversations: {exc.__class__.__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"{len(past)} conversations since {args.since} ago; NLU: {args.nlu}; rules: {rules_file}",
          file=sys.stderr, flush=True)

    def progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            print(f"  {done}/{total} replayed", file=sys.stderr, flush=True)

    async def run():
        if args.nlu == "stored":
            return await backtest(past, replay_nlu.stored_parser(past), rules=rules, responses=responses,
                                  progress=progress)
        if args.nlu == "rasa":
            import httpx

            async with httpx.AsyncClient(timeout=30) as client:
                parse = replay_nlu.rasa_parser(args.rasa_url or get_settings().rasa_url,
                                               os.environ.get("RASA_TOKEN", ""), client)
                return await backtest(past, parse, rules=rules, responses=responses, progress=progress)
        model = Path(args.model)
        if not model.exists():
            raise FileNotFoundError(f"No trained model at {model}; run `make train` first or give --model.")
        print(f"Loading the model {model} ...", file=sys.stderr, flush=True)
        return await backtest(past, replay_nlu.model_parser(model), rules=rules, responses=responses,
                              progress=progress)

    responses = responses_by_text(ROOT / "domain.yml")
    try:
        result = asyncio.run(run())
    except Exception as exc:  # no model, Rasa not reachable: say so, change nothing
        print(f"Backtest stopped: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        import json

        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        from bot import hours

        try:
            tz = hours.load().tz
        except hours.HoursError:
            tz = None
        print(render_table(result, tz))
    return 0


def _privacy(args: argparse.Namespace) -> int:
    import json

    from bot.desk.db import make_engine, make_sessionmaker
    from bot.desk.privacy import service
    from bot.desk.privacy.search import BadCriterion, Criterion
    from bot.desk.privacy.trackers import TrackerStore

    if args.privacy_command == "scrub-history":
        return _scrub_history(args)
    [(kind, value)] = [(kind, getattr(args, kind)) for kind in ("conversation", "email", "phone", "order")
                       if getattr(args, kind)]
    try:
        criterion = Criterion.parse(kind, value)
    except BadCriterion as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.privacy_command == "erase" and not args.yes:
        print("Erasing cannot be undone: add --yes to erase everything of this customer.", file=sys.stderr)
        return 2
    settings = get_settings()
    engine, trackers = make_engine(settings.database_url), TrackerStore(settings.tracker_store_url)
    try:
        with make_sessionmaker(engine)() as session:
            if args.privacy_command == "export":
                data = service.export(session, criterion=criterion, actor="cli", trackers=trackers)
            else:
                counts = service.erase(session, criterion=criterion, actor="cli", trackers=trackers)
            session.commit()
    finally:
        engine.dispose()
        trackers.dispose()
    if args.privacy_command == "erase":
        print("Erased: " + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in counts.items()) + ".")
        return 0
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        print(f"{len(data['conversations'])} conversation(s) exported to {args.out}.")
    else:
        print(text)
    return 0


def _scrub_history(args: argparse.Namespace) -> int:
    from bot.desk.editing.history import History, HistoryError

    project = Path(args.project).resolve() if args.project else get_settings().project_dir
    if not args.yes:
        print(f"This rewrites every commit of {project} (the editors' history): add --yes.", file=sys.stderr)
        return 2
    history = History(project)
    try:
        history.scrub(args.text)
    except HistoryError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"The text is gone from every commit of {project} and from git's own old copies there.")
    if history.remote:
        print(f"Now replace the history at {history.remote}: git -C {project} push --force {history.remote} "
              f"HEAD:{history.branch or 'main'}; every other clone keeps the old one until it is cloned again.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bot", description="Balie: webshop assistant and desk")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start Rasa, the action server and the desk")
    run.add_argument("--model", default=str(ROOT / "models" / "balie.tar.gz"))
    run.add_argument("--rasa-port", type=int, default=5005)
    run.add_argument("--action-port", type=int, default=5055)
    run.add_argument("--desk-port", type=int, default=8000)
    run.add_argument("--replicas", type=int, default=1,
                     help="desk replicas behind nginx (2 or more: also 2 Rasa and 2 action servers; needs "
                          "--database postgresql… and --redis)")
    run.add_argument("--database", help="desk database URL (default: DATABASE_URL or the SQLite file in var/)")
    run.add_argument("--redis", help="Redis URL for pushes across desk replicas and Rasa's lock store")
    run.add_argument("--log-dir", default=str(ROOT / "var" / "logs"))
    run.add_argument("--start-timeout", type=float, default=300.0)
    run.set_defaults(func=_run)
    serve = sub.add_parser("serve", help="start one process: Rasa (rasa run arguments), the action server (rasa run "
                                          "actions arguments) or the desk (--host, --port)")
    serve.add_argument("process", choices=["rasa", "actions", "desk"])
    serve.add_argument("args", nargs=argparse.REMAINDER)
    serve.set_defaults(func=_serve)
    db = sub.add_parser("db", help="database schema")
    db.add_argument("db_command", choices=["upgrade"])
    db.set_defaults(func=_db_upgrade)
    sub.add_parser("seed", help="demo shop and demo agent").set_defaults(func=_seed)
    agents = sub.add_parser("agents", help="manage agent accounts")
    agents_sub = agents.add_subparsers(dest="agents_command", required=True)
    add = agents_sub.add_parser("add")
    add.add_argument("username")
    add.add_argument("--first-name", required=True)
    add.add_argument("--role", choices=["agent", "editor", "admin"], default="agent")
    agents_sub.add_parser("list")
    disable = agents_sub.add_parser("disable", help="the account can no longer sign in; its sign-ins end")
    disable.add_argument("username")
    unlock = agents_sub.add_parser("unlock", help="clear the account's lockouts after wrong passwords")
    unlock.add_argument("username")
    agents.set_defaults(func=_agents)
    nlu = sub.add_parser("nlu", help="check the NLU data (editors)")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True)
    nlu_check = nlu_sub.add_parser("check", help="rasa data validate plus checks Rasa lacks")
    nlu_check.add_argument("--project", help="the bot project (default: the current folder)")
    nlu_check.add_argument("--data", help="the training data (default: <project>/data)")
    nlu_check.add_argument("--no-rasa", action="store_true", help="skip rasa data validate (fast)")
    nlu_check.add_argument("--min-examples", type=int, default=10)
    nlu_check.set_defaults(func=_nlu_check)
    nlu_report = nlu_sub.add_parser("report", help="cross-validated F1, confused pairs, confusion matrix")
    nlu_report.add_argument("--project", help="the bot project (default: the current folder)")
    nlu_report.add_argument("--data", help="NLU data (default: <project>/data/nlu)")
    nlu_report.add_argument("--config", help="pipeline (default: <project>/config.yml)")
    nlu_report.add_argument("--out", help="report folder (default: <project>/var/nlu-report)")
    nlu_report.add_argument("--folds", type=int, default=3)
    nlu_report.set_defaults(func=_nlu_report)
    nlu_coverage = nlu_sub.add_parser("coverage", help="wrong confident answers, honest don't-knows and right "
                                                       "answers on a coverage set (issue 18)")
    nlu_coverage.add_argument("file", nargs="?", help="the coverage set (default: tests/data/coverage_dev.yml)")
    nlu_coverage.add_argument("--project", help="the bot project (default: the current folder)")
    nlu_coverage.add_argument("--model", help="the trained model (default: <project>/models/balie.tar.gz)")
    nlu_coverage.add_argument("--max-wrong", type=float, default=0.03,
                              help="fail above this share of wrong confident answers (default 0.03)")
    nlu_coverage.add_argument("--quiet", action="store_true", help="figures only, not every wrong case")
    nlu_coverage.set_defaults(func=_nlu_coverage)
    report = sub.add_parser("report", help="team leads' report: HTML with charts and CSV")
    report.add_argument("--since", default="7d", help="period: 7d, 24h, 2w")
    report.add_argument("--project", help="the bot project, for its topic names (default: the current folder)")
    report.add_argument("--out", help="report folder (default: <project>/var/reports)")
    report.set_defaults(func=_report)
    escalation = sub.add_parser("escalation", help="the escalation check: replay past conversations")
    escalation_sub = escalation.add_subparsers(dest="escalation_command", required=True)
    back = escalation_sub.add_parser("backtest", help="replay the customer messages of stored conversations "
                                     "through today's rules and NLU; list those whose outcome would change")
    back.add_argument("--since", default="7d", help="period: 7d, 24h, 2w (default 7d)")
    back.add_argument("--database", help="desk database URL (default: DATABASE_URL or the SQLite file in var/)")
    back.add_argument("--rules", default=str(ROOT / "escalation.yml"), help="escalation rules (default: escalation.yml)")
    back.add_argument("--nlu", choices=("model", "rasa", "stored"), default="model",
                      help="model: load the trained model in-process (default); rasa: a running Rasa's "
                           "/model/parse (--rasa-url, RASA_TOKEN); stored: the intents stored at the time")
    back.add_argument("--model", default=str(ROOT / "models" / "balie.tar.gz"))
    back.add_argument("--rasa-url", help="with --nlu rasa (default: RASA_URL)")
    back.add_argument("--json", action="store_true", help="the result as JSON instead of a table")
    back.set_defaults(func=_backtest)
    privacy = sub.add_parser("privacy", help="export or erase everything of one customer (AVG)")
    privacy_sub = privacy.add_subparsers(dest="privacy_command", required=True)
    for name, help_text in (("export", "every message, handoff, callback and rating, as JSON"),
                            ("erase", "erase in the desk and in Rasa's tracker store (not what is on legal hold)")):
        command = privacy_sub.add_parser(name, help=help_text)
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--conversation", help="conversation id")
        who.add_argument("--email")
        who.add_argument("--phone")
        who.add_argument("--order", help="order number, e.g. WS-100001")
        if name == "export":
            command.add_argument("--out", help="write the JSON to this file (default: print it)")
        else:
            command.add_argument("--yes", action="store_true", help="yes, erase: this cannot be undone")
    scrub = privacy_sub.add_parser("scrub-history", help="take a customer's words out of every commit of the "
                                                         "editors' history (the training data and messages)")
    scrub.add_argument("--text", required=True, help="the words to take out, e.g. a name")
    scrub.add_argument("--project", help="the bot project (default: BOT_PROJECT_DIR)")
    scrub.add_argument("--yes", action="store_true", help="yes, rewrite the history")
    privacy.set_defaults(func=_privacy)
    args = parser.parse_args(argv)
    from bot import log_masking

    log_masking.install()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
