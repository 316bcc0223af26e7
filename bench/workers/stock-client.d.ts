// The DefinitelyTyped types describe the 1.x client; these are the few 3.1 members the benchmark uses.
declare module "camunda-external-task-client-js" {
  export interface StockTask {
    id: string;
    businessKey: string;
  }
  export interface StockTaskService {
    complete(task: StockTask): Promise<void>;
  }
  export class BasicAuthInterceptor {
    constructor(options: { username: string; password: string });
  }
  export class Client {
    constructor(options: Record<string, unknown>);
    subscribe(
      topic: string,
      options: Record<string, unknown>,
      handler: (args: { task: StockTask; taskService: StockTaskService }) => Promise<void>,
    ): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
    stop(): void;
  }
}
