import { RTCPeerConnection } from "werift";
const pc = new RTCPeerConnection({ iceUseIpv6: false });
pc.createDataChannel("x");
pc.addTransceiver("video", { direction: "recvonly" });
await pc.setLocalDescription(await pc.createOffer());
console.log("offer", process.getActiveResourcesInfo());
await pc.close();
await new Promise((r) => setTimeout(r, 100));
console.log("closed", process.getActiveResourcesInfo());
