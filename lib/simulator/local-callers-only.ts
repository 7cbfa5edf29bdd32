import type { IncomingMessage, ServerResponse } from "node:http";
import { SimulatorError, sendSimulatorError } from "./simulator-error";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

function bare(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/**
 * A caller on this machine: a loopback address, or a connection from this host to one of its own
 * addresses (the gateway reaches the in-process simulator the way its client reached the server,
 * which may be a LAN address). The kernel sets both ends of a TCP connection, so a remote client
 * cannot pass for either.
 */
export function isLocalCaller(remoteAddress: string | undefined, localAddress: string | undefined): boolean {
  if (!remoteAddress) return false;
  const remote = bare(remoteAddress);
  if (remote === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(remote)) return true;
  return localAddress !== undefined && remote === bare(localAddress);
}

/**
 * The in-process simulator accepts any key and 32 MB bodies, so it answers callers on this machine
 * only (the gateway, the demo traffic, the playground); anyone else gets a 403 before the body is read.
 */
export function localCallersOnly(handler: Handler): Handler {
  return (req, res) => {
    if (isLocalCaller(req.socket.remoteAddress, req.socket.localAddress)) return handler(req, res);
    req.resume();
    const err = new SimulatorError(403, "permission_error", "The simulator at /_sim answers callers on this machine only; call the gateway at /gateway instead.");
    sendSimulatorError(res, err, "req_sim_local_only");
  };
}
