from xiezuo.cli.main import app

app()
