package camunda.gitops.engine;

import org.camunda.bpm.engine.rest.impl.FetchAndLockContextListener;
import org.camunda.bpm.engine.rest.spi.FetchAndLockHandler;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Answers the pending long polls (fetchAndLock with asyncResponseTimeout) before Tomcat's graceful
 * shutdown starts waiting for open requests.
 *
 * <p>A worker's long poll stays open on the server until its timeout even after the worker has gone, and
 * the graceful shutdown waits for it: every `engine stop` after the workers had run took the whole
 * shutdown bound (5 s) instead of under a second. The REST API's own handler only lets go of its
 * pending requests when the servlet context is destroyed, which comes after that wait. This bean runs
 * the same shutdown earlier: it stops in the highest lifecycle phase, before the web server's graceful
 * shutdown (a lower phase), so the pending polls are answered ("rejected due to shutdown") and the
 * wait ends as soon as the requests that do work have finished. Shutting the handler down a second time
 * when the context is destroyed is harmless (the handler thread has already ended).
 */
@Component
public class LongPollShutdown implements SmartLifecycle {

  private volatile boolean running;

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    FetchAndLockHandler handler = FetchAndLockContextListener.getFetchAndLockHandler();
    if (handler != null) {
      handler.shutdown();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return Integer.MAX_VALUE;
  }
}
