"""placeholder"""
def plugin(md):
    pass
