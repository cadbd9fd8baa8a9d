VERSION = "one"


def handler(event, context):
    return {"version": VERSION}
