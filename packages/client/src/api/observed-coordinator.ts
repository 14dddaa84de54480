/**
 * The coordinator, observed: every session descriptor it returns (what `getSessionInfo()`
 * reports) and the phase boundaries of a connect (session created, first descriptor ready to
 * connect, offer sent, answer received), all of which are coordinator calls. Observing them here
 * keeps the connect code free of instrumentation.
 */
import { isSessionReady, type SessionDescriptor } from "@reactor-node/protocol";
import { type AnswerPoll, Coordinator, type CoordinatorOptions } from "../http/coordinator.js";

/** What the observer hears. */
export interface CoordinatorObserver {
  /** `POST /sessions` (or `/start_session`) answered after `ms`. */
  sessionCreated(session: SessionDescriptor, ms: number): void;
  /** Any session descriptor (creation and every poll). */
  session(session: SessionDescriptor): void;
  /** A descriptor that is ready to connect (capabilities and a selected transport). */
  sessionReady(): void;
  offerSent(): void;
  answerReceived(): void;
}

/** A {@link Coordinator} that reports to a {@link CoordinatorObserver}. */
export class ObservedCoordinator extends Coordinator {
  constructor(
    options: CoordinatorOptions,
    private readonly observer: CoordinatorObserver,
  ) {
    super(options);
  }

  override async createSession(...args: Parameters<Coordinator["createSession"]>): Promise<SessionDescriptor> {
    const start = performance.now();
    const session = await super.createSession(...args);
    this.observer.sessionCreated(session, performance.now() - start);
    this.seen(session);
    return session;
  }

  override async getSession(...args: Parameters<Coordinator["getSession"]>): Promise<SessionDescriptor> {
    const session = await super.getSession(...args);
    this.seen(session);
    return session;
  }

  override sendOffer(...args: Parameters<Coordinator["sendOffer"]>): Promise<number | undefined> {
    this.observer.offerSent();
    return super.sendOffer(...args);
  }

  override async getAnswer(...args: Parameters<Coordinator["getAnswer"]>): Promise<AnswerPoll> {
    const poll = await super.getAnswer(...args);
    if (!poll.pending) this.observer.answerReceived();
    return poll;
  }

  private seen(session: SessionDescriptor): void {
    this.observer.session(session);
    // Local mode answers the full descriptor at creation.
    if (isSessionReady(session)) this.observer.sessionReady();
  }
}
