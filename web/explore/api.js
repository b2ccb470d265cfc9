// The hub's public GraphQL API: one POST per query, errors turned into exceptions.

const config = JSON.parse(document.body.dataset.config || "{}");
export const settings = { graphql: config.graphql || "/graphql", mapTileUrl: config.mapTileUrl || "" };

export class ApiError extends Error {}

export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch(settings.graphql, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ApiError(`The hub did not answer: ${err.message}`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The hub answered ${response.status} without JSON`);
  }
  if (body.errors && body.errors.length) {
    const messages = body.errors.map((e) => {
      const code = e.extensions && e.extensions.code ? ` (${e.extensions.code})` : "";
      return `${e.message}${code}`;
    });
    throw new ApiError(messages.join("; "));
  }
  if (!response.ok) throw new ApiError(`The hub answered ${response.status}`);
  return body.data;
}

// A readable label for any node, whatever its kind.
export const NODE_LABEL = `
  fragment NodeLabel on Node {
    __typename id
    ... on Reserve { name }
    ... on Institution { name }
    ... on Project { title }
    ... on Person { name }
    ... on Theme { label }
    ... on Network { name }
  }`;

export function labelOf(node) {
  return node.name || node.title || node.label || node.id;
}

export function kindOf(id) {
  return String(id).split(":", 1)[0].toUpperCase();
}
