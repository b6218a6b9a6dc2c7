"""The main window, its menus, the application, themes, run colours and the message banner."""
