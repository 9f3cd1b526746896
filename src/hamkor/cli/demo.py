"""`hamkor demo`: build the demo data directory and show what it holds."""

from __future__ import annotations

import typer

from hamkor.cli._common import byte_progress, console, err_console, fail, settings_of

DEMO_VIDEO_URL = "https://meet.jit.si"  # a public Jitsi server: a link in the demo, never fetched by hamkor


def demo(
    ctx: typer.Context,
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web UI afterwards (when it exists)."),
    seed: int = typer.Option(20251001, help="Seed of the synthetic regional data."),
) -> None:
    """Build the demo: reference data, real national series, a synthetic Altai Krai extract."""
    from hamkor.demo.build import build_demo, promising_areas, summarise
    from hamkor.i18n.numbers import format_number, format_percent
    from hamkor.trade.warehouse import WarehouseBusy

    settings = settings_of(ctx)
    try:
        with byte_progress("demo") as progress:
            outcomes = build_demo(settings, seed, on_step=lambda s: err_console.print(f"· {s}"), progress=progress)
    except WarehouseBusy as busy:
        raise fail(f"{busy}. Is `hamkor demo` or `hamkor serve` already running on this data directory?") from None
    for o in outcomes:
        if o.status == "rejected":
            raise fail(f"demo file {o.file.name} was refused:\n" + o.report.summary())
        state = "already loaded" if o.status == "duplicate" else f"{o.rows_loaded:,} rows"
        err_console.print(f"  {o.file.name}: {state}" + (" [SYNTHETIC]" if o.synthetic else ""))

    console.print(f"[bold]Trade summary[/] (data directory {settings.data_dir}), million USD:")
    for line in summarise(settings):
        mark = "[bold yellow]SYNTHETIC demo data[/]" if line.synthetic else "real, official statistics"
        growth = format_percent(line.growth, "ru", na="n/a")
        rank = f"partner rank {line.rank} of {line.partners}" if line.rank else "no rank"
        console.print(f"\n[bold]{line.label}[/], {line.period} — {mark}", highlight=False)
        console.print(
            f"  turnover {format_number(line.turnover / 1e6, 'ru')} ({growth} on a year earlier); "
            f"exports {format_number(line.exports / 1e6, 'ru')}, imports {format_number(line.imports / 1e6, 'ru')}; "
            f"{rank}", highlight=False, soft_wrap=True)
    console.print("\n[bold]Promising areas[/] (Altai Krai ↔ Uzbekistan, world data 2024) — "
                  "[bold yellow]SYNTHETIC demo data[/]:", highlight=False)
    for direction, codes in promising_areas(settings).items():
        console.print(f"  {direction}: {', '.join(codes)}", highlight=False)
    console.print("  (`hamkor opportunities -r RU-ALT -p UZ` explains each)")
    console.print("\n[bold]Companies[/]: 50 in Altai Krai and 35 in Syrdarya region — [bold yellow]SYNTHETIC[/] "
                  "(`hamkor companies list`, `hamkor companies match --a-region RU-ALT --b-region UZ-SI`)",
                  highlight=False)
    console.print("\n[yellow]Rows marked SYNTHETIC come from generated demo data (sources demo-synthetic*), "
                  "calibrated to published facts; they are not real observations.[/]")
    if serve:
        import uvicorn

        from hamkor.demo.build import demo_sign_in
        from hamkor.demo.two_sides import PARTNER_EMAIL, partner_password
        from hamkor.web.app import create_app

        email, password = demo_sign_in(settings)
        if not settings.video_url:  # the demo's online meetings show their call links; an instance sets its own
            settings.video_url = DEMO_VIDEO_URL
        console.print(f"\n[bold]hamkor is at http://{settings.host}:{settings.port}[/]  "
                      f"sign in as [bold]{email}[/] with password [bold]{password}[/] (Ctrl+C stops it)")
        console.print(f"  the Syrdarya administration's organiser (the mission's visiting side only): "
                      f"[bold]{PARTNER_EMAIL}[/] with password [bold]{partner_password(settings.data_dir)}[/]; "
                      f"online meetings link to {settings.video_url} (HAMKOR_VIDEO_URL sets your own)",
                      highlight=False, soft_wrap=True)
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
