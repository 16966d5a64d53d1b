"""Template filters of the clients app."""
