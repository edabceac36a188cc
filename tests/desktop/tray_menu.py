'''Clicks an item of an app's tray menu as a desktop's tray does: the app
registered its StatusNotifierItem at PATH with the watcher; its menu is
exported over D-Bus (com.canonical.dbusmenu). Usage: tray_menu.py PATH LABEL
(on the bus in DBUS_SESSION_BUS_ADDRESS). Prints the menu's labels.
'''

import os
import sys

import dbus

path, wanted = sys.argv[1], sys.argv[2]
bus = dbus.bus.BusConnection(os.environ['DBUS_SESSION_BUS_ADDRESS'])


def labels_and_ids(node):
    item, props, children = node
    label = str(props.get('label', '')).replace('_', '')
    found = [(label, int(item))] if label else []
    for child in children:
        found += labels_and_ids(child)
    return found


for name in bus.list_names():
    if not name.startswith(':'):
        continue
    try:
        menu_path = bus.get_object(name, path, introspect=False).Get(
            'org.kde.StatusNotifierItem', 'Menu', dbus_interface='org.freedesktop.DBus.Properties', timeout=2)
    except dbus.DBusException:
        continue
    menu = bus.get_object(name, menu_path, introspect=False)
    _, layout = menu.GetLayout(0, -1, dbus.Array([], signature='s'), dbus_interface='com.canonical.dbusmenu')
    items = labels_and_ids(layout)
    print('\n'.join(label for label, _ in items))
    ids = [item for label, item in items if label == wanted]
    if not ids:
        sys.exit(f'no menu item {wanted!r} in {[label for label, _ in items]}')
    # Sent without waiting for the answer, as a tray does: after Quit the
    # app is gone before it could answer. The caller checks what happened.
    menu.Event(ids[0], 'clicked', dbus.Int32(0, variant_level=1), dbus.UInt32(0),
               dbus_interface='com.canonical.dbusmenu', ignore_reply=True)
    bus.flush()
    sys.exit(0)
sys.exit(f'no StatusNotifierItem at {path} on the bus')
