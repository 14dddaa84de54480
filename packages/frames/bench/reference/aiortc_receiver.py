"""Reference receiver for bench/compare.js: the seed SDK's own pipeline, aiortc + PyAV.

Receives the offered VP8 streams with aiortc (libvpx decoding, as the seed SDK does) and converts
every frame to RGB with PyAV's swscale (frame.to_ndarray(format="rgb24")), like the seed's frame
callback. Written for this repository's benchmark; run with Debian's python3-aiortc and python3-av.

Signalling: JSON lines on stdin/stdout.
  in:  {"type": "offer", "id": n, "sdp": "..."}  {"type": "mark"}  {"type": "stop"}  {"type": "close"}
  out: {"type": "hello"}  {"type": "answer", "id": n, "sdp": "..."}
       {"type": "stats", "streams": [{"frames": n, "windowFrames": n, "width": w, "height": h}]}
  ("mark" starts the measurement window: windowFrames counts frames since it.)
"""

import asyncio
import json
import sys

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class Stream:
    def __init__(self):
        self.frames = 0
        self.mark = 0
        self.width = 0
        self.height = 0

    async def consume(self, track):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            rgb = frame.to_ndarray(format="rgb24")
            self.height, self.width = rgb.shape[0], rgb.shape[1]
            self.frames += 1


async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    pcs = []
    streams = {}
    tasks = []
    send({"type": "hello"})
    while True:
        line = await reader.readline()
        if not line:
            break
        message = json.loads(line)
        if message["type"] == "offer":
            pc = RTCPeerConnection()
            pcs.append(pc)
            stream = Stream()
            streams[message["id"]] = stream

            @pc.on("track")
            def on_track(track, stream=stream):
                if track.kind == "video":
                    tasks.append(asyncio.ensure_future(stream.consume(track)))

            await pc.setRemoteDescription(RTCSessionDescription(sdp=message["sdp"], type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
            send({"type": "answer", "id": message["id"], "sdp": pc.localDescription.sdp})
        elif message["type"] == "mark":
            for s in streams.values():
                s.mark = s.frames
        elif message["type"] == "stop":
            send(
                {
                    "type": "stats",
                    "streams": [
                        {"id": i, "frames": s.frames, "windowFrames": s.frames - s.mark, "width": s.width, "height": s.height}
                        for i, s in sorted(streams.items())
                    ],
                }
            )
        elif message["type"] == "close":
            break
    for pc in pcs:
        await pc.close()
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
