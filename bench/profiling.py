"""`--profile`: pyinstrument profiles of the timed work, written beside the results."""


def profile(context, label, work, interval=0.001):
    """Run `work()` under pyinstrument and write the text profile; returns work's result."""
    from pyinstrument import Profiler
    profiler = Profiler(interval=interval)
    profiler.start()
    try:
        return work()
    finally:
        profiler.stop()
        path = context.results / f"profile-{label}.txt"
        path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        context.log(f"profile written: {path}")
