export { ReviewService, authorName, type Review, type ReviewPage, type CleanMedia, type ReviewItemInput } from './service.js'
export { reviewsHttp } from './http.js'
export { ReviewSettings } from './schemas.js'
