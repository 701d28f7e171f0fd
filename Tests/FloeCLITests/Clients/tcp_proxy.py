"""A loopback TCP proxy for outage tests, between floe and a real server.

Usage: python tcp_proxy.py TARGET_PORT
Prints the port it listens on (127.0.0.1), then forwards every connection to 127.0.0.1:TARGET_PORT.
Signals change what the server seems to do:
  SIGUSR1  freeze: connections stay open and new ones are accepted, but nothing is forwarded
  SIGUSR2  stop: every connection is closed and new ones are refused
  SIGHUP   recover: listen and forward again
SIGTERM ends it.
"""

import asyncio
import signal
import socket
import sys

target = int(sys.argv[1])
state = {"frozen": False, "server": None, "port": None, "connections": set()}
thawed = asyncio.Event()


async def pump(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            while state["frozen"]:
                await thawed.wait()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
    except OSError:
        client_writer.close()
        return
    tasks = {asyncio.ensure_future(pump(client_reader, server_writer)), asyncio.ensure_future(pump(server_reader, client_writer))}
    entry = (client_writer, server_writer, frozenset(tasks))
    state["connections"].add(entry)
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()
    client_writer.close()
    server_writer.close()
    state["connections"].discard(entry)


async def listen(port):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    state["server"] = await asyncio.start_server(handle, sock=sock)
    state["port"] = sock.getsockname()[1]


def freeze():
    state["frozen"] = True
    thawed.clear()


def stop():
    if state["server"] is not None:
        state["server"].close()
        state["server"] = None
    for client_writer, server_writer, tasks in list(state["connections"]):
        for task in tasks:
            task.cancel()
        client_writer.transport.abort()
        server_writer.transport.abort()


def recover():
    state["frozen"] = False
    thawed.set()
    if state["server"] is None:
        asyncio.ensure_future(listen(state["port"]))


async def main():
    await listen(0)
    print(state["port"], flush=True)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, freeze)
    loop.add_signal_handler(signal.SIGUSR2, stop)
    loop.add_signal_handler(signal.SIGHUP, recover)
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    await done.wait()


asyncio.run(main())
