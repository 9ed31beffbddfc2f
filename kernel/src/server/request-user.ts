/** Fastify request decorations of the trainset server: the user a bearer token names. */
import "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The user of the request's bearer token ("" before authentication ran). */
    user: string;
  }
  interface FastifyContextConfig {
    /** Title of a 400 caused by schema validation on this route (seed 004 names them per route). */
    problemTitle?: string;
  }
}
